/**
 * spec.auth of the Tenant schema: who may call the tenant's APIs. Kept in its own file (the
 * rest of the spec is in schema.ts) so features that extend the schema do not collide.
 */
import { celIsDnsName, obj, str } from "./schema-helpers.js";
import type { SchemaProps } from "./schema-types.js";

const JWT = "spec.auth.jwt";

const audiences: SchemaProps = {
  type: "array",
  description: "Accepted `aud` values: a token must name at least one of them, e.g. [tenant-api].",
  minItems: 1,
  maxItems: 10,
  "x-kubernetes-list-type": "set",
  items: str("An audience (no commas or spaces).", 253, {
    minLength: 1,
    "x-kubernetes-validations": [
      {
        rule: "self.matches('^[^,\\\\s]+$')",
        message: `${JWT}.audiences entries must not contain commas or spaces`,
      },
    ],
  }),
};

const jwksSecretRef = obj(
  "A Secret in the tenant namespace tenant-<name> whose key holds the JSON Web Key Set. It is " +
    "mounted into the pod; a change reaches the running service without a restart.",
  {
    name: str("Name of the Secret.", 253, {
      minLength: 1,
      "x-kubernetes-validations": [
        {
          rule: celIsDnsName("self"),
          message: `${JWT}.jwksSecretRef.name must be a valid Secret name (RFC 1123 subdomain)`,
        },
      ],
    }),
    key: str("Key in the Secret that holds the key set (default jwks.json).", 253, {
      minLength: 1,
      default: "jwks.json",
      "x-kubernetes-validations": [
        {
          rule: "self.matches('^[-._a-zA-Z0-9]+$')",
          message: `${JWT}.jwksSecretRef.key must be a valid Secret key: letters, digits, '-', '_' and '.'`,
        },
      ],
    }),
  },
  { required: ["name"] },
);

const jwt = obj(
  "Require a bearer JSON Web Token on every gRPC and HTTP API call (gRPC health, /healthz, " +
    "/readyz, /metrics and the landing page stay open). The signature is checked against the " +
    "issuer's JSON Web Key Set (asymmetric algorithms only), and iss, aud, exp and nbf.",
  {
    issuer: str("Required `iss` claim, e.g. https://login.example.com/.", 2048, {
      minLength: 1,
      "x-kubernetes-validations": [
        {
          rule: "self.matches('^[^\\\\s]+$')",
          message: `${JWT}.issuer must not contain spaces`,
        },
      ],
    }),
    audiences,
    jwksURL: str(
      "https:// URL of the issuer's JSON Web Key Set, e.g. " +
        "https://login.example.com/.well-known/jwks.json. Fetched by the pod (egress on 443).",
      2048,
      {
        "x-kubernetes-validations": [
          {
            rule: "isURL(self) && url(self).getScheme() == 'https' && url(self).getHostname() != ''",
            message: `${JWT}.jwksURL must be an absolute https:// URL, e.g. https://login.example.com/.well-known/jwks.json`,
          },
        ],
      },
    ),
    jwksSecretRef,
  },
  {
    required: ["issuer", "audiences"],
    "x-kubernetes-validations": [
      {
        rule: "has(self.jwksURL) != has(self.jwksSecretRef)",
        message: `${JWT} needs exactly one of jwksURL (fetched over https) and jwksSecretRef (a Secret holding the key set)`,
      },
    ],
  },
);

export const authSchema = obj(
  "Who may call the tenant's APIs. Without it the APIs answer anyone who can reach them.",
  { jwt },
);
