/**
 * THE source of truth for the Tenant API (platform.tenancy.dev/v1alpha1): the OpenAPI v3 schema
 * as data. `npm run gen:api` turns it into crds/platform.tenancy.dev_tenants.yaml and
 * operator/api/types.generated.ts; a unit test fails when either drifts from this file.
 *
 * Rules: every field has a description (kubectl explain), every string a maxLength, and what
 * the schema cannot say is a CEL rule whose message names the field and what is allowed.
 */
import {
  DNS_LABEL_RE,
  bool,
  celIsDnsName,
  int,
  limitAtLeastRequest,
  obj,
  quantity,
  str,
} from "./schema-helpers.js";
import type { SchemaProps } from "./schema-types.js";

export const DEFAULT_SERVICES = ["calculator", "users", "counter"];

const resourceList = (which: "requests" | "limits"): SchemaProps =>
  obj(`Compute resources ${which === "requests" ? "reserved for" : "that cap"} each pod.`, {
    cpu: quantity(
      `spec.resources.${which}.cpu`,
      `CPU ${which === "requests" ? "request" : "limit"}.`,
    ),
    memory: quantity(
      `spec.resources.${which}.memory`,
      `Memory ${which === "requests" ? "request" : "limit"}.`,
    ),
  });

const host = str(
  "The public DNS name of the tenant (RFC 1123, lower case), e.g. acme.example.com. The web UI " +
    "and HTTP API are served at https://<host>, gRPC at grpc.<host>:443.",
  253,
  {
    minLength: 1,
    "x-kubernetes-validations": [
      {
        rule: celIsDnsName("self"),
        message:
          "spec.host must be a DNS name (RFC 1123): lower-case letters, digits, '-' and '.', " +
          "each label 1-63 characters, starting and ending with a letter or digit",
      },
      {
        rule: "!self.matches('^[0-9.]+$')",
        message: "spec.host must be a DNS name, not an IP address",
      },
      {
        rule: "size(self) <= 248",
        message: "spec.host must be at most 248 characters so that grpc.<host> is a valid DNS name",
      },
    ],
  },
);

const autoscaling = obj(
  "Scale the Deployment with a HorizontalPodAutoscaler on CPU. Only used with " +
    "database.mode external: the embedded database allows a single replica.",
  {
    minReplicas: int("Lowest number of replicas the autoscaler keeps.", 1, 100, { default: 1 }),
    maxReplicas: int("Highest number of replicas the autoscaler may run.", 1, 100),
    targetCPUUtilizationPercentage: int(
      "Average CPU use, as a percentage of the CPU request, that the autoscaler aims for.",
      1,
      100,
      { default: 60 },
    ),
  },
  {
    required: ["maxReplicas"],
    "x-kubernetes-validations": [
      {
        rule: "!has(self.minReplicas) || self.maxReplicas >= self.minReplicas",
        message:
          "spec.autoscaling.maxReplicas must be greater than or equal to spec.autoscaling.minReplicas",
        fieldPath: ".maxReplicas",
      },
    ],
  },
);

const branding = obj(
  "How the tenant's landing page looks. Changes reach running pods without a restart.",
  {
    primaryColor: str("Main colour of the page, as #rrggbb, e.g. #1f6feb.", 7, {
      "x-kubernetes-validations": [
        {
          rule: "self.matches('^#[0-9a-fA-F]{6}$')",
          message: "spec.branding.primaryColor must be a colour in the form #rrggbb, e.g. #1f6feb",
        },
      ],
    }),
    logoURL: str("Address of the logo image; must be an https:// URL.", 2048, {
      "x-kubernetes-validations": [
        {
          rule: "isURL(self) && url(self).getScheme() == 'https' && url(self).getHostname() != ''",
          message:
            "spec.branding.logoURL must be an absolute https:// URL, e.g. https://cdn.example.com/logo.svg",
        },
      ],
    }),
    welcomeMessage: str(
      "Text shown under the title of the landing page (at most 500 characters).",
      4096,
      {
        "x-kubernetes-validations": [
          {
            rule: "size(self) <= 500",
            message: "spec.branding.welcomeMessage must be at most 500 characters",
          },
        ],
      },
    ),
  },
);

const issuerRef = obj(
  "The cert-manager issuer that signs the certificate (default: the operator's configured issuer).",
  {
    name: str("Name of the Issuer or ClusterIssuer.", 253, { minLength: 1 }),
    kind: str("Issuer (in the tenant namespace) or ClusterIssuer.", 13, {
      enum: ["Issuer", "ClusterIssuer"],
      default: "ClusterIssuer",
    }),
  },
  { required: ["name"] },
);

const dnsTargets: SchemaProps = {
  type: "array",
  description:
    "Where the DNS names point: IP addresses (A/AAAA records) or one host name (a CNAME). " +
    "Default: the operator's configured targets, else the Ingress load balancer address.",
  maxItems: 10,
  "x-kubernetes-list-type": "set",
  items: str("An IP address or a DNS name.", 253, { minLength: 1 }),
  "x-kubernetes-validations": [
    {
      rule: `self.all(t, isIP(t) || ${celIsDnsName("t")})`,
      message: "spec.dns.targets must be IP addresses or DNS names",
    },
    {
      rule: "self.all(t, isIP(t)) || size(self) == 1",
      message:
        "spec.dns.targets must be IP addresses, or a single DNS name (a CNAME cannot be combined with other records)",
    },
  ],
};

const database = obj(
  "Where the tenant's data lives.",
  {
    mode: str(
      "embedded (default): PGlite on a PersistentVolumeClaim, one replica, Recreate rollouts. " +
        "external: PostgreSQL at the URI in secretRef; replicas and autoscaling allowed.",
      8,
      { enum: ["embedded", "external"], default: "embedded" },
    ),
    secretRef: obj(
      "The Secret, in the tenant namespace tenant-<name>, whose key holds the PostgreSQL URI " +
        "passed to the service as DATABASE_URL. Required in external mode.",
      {
        name: str("Name of the Secret.", 253, {
          minLength: 1,
          "x-kubernetes-validations": [
            {
              rule: celIsDnsName("self"),
              message:
                "spec.database.secretRef.name must be a valid Secret name (RFC 1123 subdomain)",
            },
          ],
        }),
        key: str("Key in the Secret that holds the URI.", 253, { minLength: 1, default: "uri" }),
      },
      { required: ["name"] },
    ),
    storage: obj("The PersistentVolumeClaim of the embedded database.", {
      size: quantity(
        "spec.database.storage.size",
        "Requested size (default: the operator's, 1Gi).",
      ),
      storageClassName: str("StorageClass of the claim (default: the cluster's default).", 253),
    }),
  },
  {
    "x-kubernetes-validations": [
      {
        rule: "!has(self.mode) || self.mode != 'external' || has(self.secretRef)",
        message: "spec.database.secretRef is required when spec.database.mode is external",
        fieldPath: ".secretRef",
        reason: "FieldValueRequired",
      },
      {
        rule: "(has(self.mode) && self.mode == 'external') || !has(self.secretRef)",
        message: "spec.database.secretRef is only allowed when spec.database.mode is external",
        fieldPath: ".secretRef",
        reason: "FieldValueForbidden",
      },
      {
        rule: "!has(self.mode) || self.mode != 'external' || !has(self.storage)",
        message: "spec.database.storage is only allowed when spec.database.mode is embedded",
        fieldPath: ".storage",
        reason: "FieldValueForbidden",
      },
    ],
  },
);

export const specSchema: SchemaProps = obj(
  "The desired state of a tenant: one isolated, branded deployment of the compute service.",
  {
    displayName: str("Human-readable name shown on the landing page, e.g. Acme Corp.", 100, {
      minLength: 1,
    }),
    host,
    image: str(
      "Container image of the compute service (default: the operator's configured image).",
      512,
      {
        "x-kubernetes-validations": [
          {
            rule: "self.matches('^[^\\\\s]+$')",
            message: "spec.image must be an image reference without spaces",
          },
        ],
      },
    ),
    replicas: int(
      "Number of pods when autoscaling is not set. The embedded database allows only 1.",
      0,
      100,
      { default: 1 },
    ),
    autoscaling,
    resources: obj(
      "CPU and memory requests and limits of the service container.",
      { requests: resourceList("requests"), limits: resourceList("limits") },
      { "x-kubernetes-validations": [limitAtLeastRequest("cpu"), limitAtLeastRequest("memory")] },
    ),
    services: {
      type: "array",
      description:
        "Which APIs the tenant gets: any of calculator, users, counter (default: all three).",
      maxItems: 3,
      "x-kubernetes-list-type": "set",
      default: DEFAULT_SERVICES,
      items: str("An API of the compute service.", 16, { enum: DEFAULT_SERVICES }),
    },
    branding,
    tls: obj("HTTPS for both names through cert-manager.", {
      enabled: bool("Request a certificate and serve HTTPS.", true),
      issuerRef,
    }),
    dns: obj("DNS records for <host> and grpc.<host> through external-dns (DNSEndpoint).", {
      enabled: bool("Publish the DNS records.", true),
      ttl: int("Time to live of the records, in seconds.", 1, 86400, { default: 300 }),
      targets: dnsTargets,
    }),
    ingress: obj("How traffic reaches the tenant.", {
      className: str("IngressClass to use (default: the operator's configured class).", 253, {
        "x-kubernetes-validations": [
          {
            rule: celIsDnsName("self"),
            message: "spec.ingress.className must be a valid IngressClass name",
          },
        ],
      }),
    }),
    quota: obj("Limits for the whole tenant namespace (ResourceQuota and LimitRange).", {
      cpu: quantity("spec.quota.cpu", "Total CPU requests and limits of all pods."),
      memory: quantity("spec.quota.memory", "Total memory requests and limits of all pods."),
      pods: int("Maximum number of pods.", 0, 10000),
      storage: quantity(
        "spec.quota.storage",
        "Total storage requested by all PersistentVolumeClaims.",
      ),
    }),
    database,
    suspend: bool(
      "Scale to zero pods while keeping everything else (data, DNS, certificates).",
      false,
    ),
    deletionPolicy: str(
      "What deleting the Tenant does: Delete (default) removes the namespace and its data; " +
        "Retain keeps the namespace and its data and only removes the operator's ownership.",
      6,
      { enum: ["Delete", "Retain"], default: "Delete" },
    ),
  },
  {
    required: ["displayName", "host"],
    "x-kubernetes-validations": [
      {
        // The embedded store is one PGlite on a ReadWriteOnce volume: a second pod could not
        // open it. Refused here rather than silently running one pod.
        rule:
          "!has(self.replicas) || self.replicas <= 1 || " +
          "(has(self.database) && has(self.database.mode) && self.database.mode == 'external')",
        message:
          "spec.replicas above 1 needs spec.database.mode: external (with spec.database.secretRef): " +
          "the embedded database is one volume that only one pod can use. Set spec.replicas to 1, " +
          "or move the tenant to an external PostgreSQL",
        fieldPath: ".replicas",
      },
    ],
  },
);

/** The root rule: the tenant's name must fit in its namespace name, tenant-<name>. */
export const rootValidations = [
  {
    rule: `self.metadata.name.matches('${DNS_LABEL_RE}') && size(self.metadata.name) <= 56`,
    message:
      "metadata.name must be a DNS label (lower-case letters, digits and '-') of at most 56 characters: " +
      "the tenant's namespace is tenant-<name>",
    fieldPath: ".metadata.name",
  },
];

export { statusSchema } from "./schema-status.js";
