/** Invalid spec.auth.jwt settings and what the API server says (part of INVALID_CASES). */
import type { InvalidCase } from "./tenant-validation-cases.js";

const jwt = (fields: Record<string, unknown>): Record<string, unknown> => ({
  auth: {
    jwt: { issuer: "https://login.example.com/", audiences: ["tenant-api"], ...fields },
  },
});

export const AUTH_INVALID_CASES: InvalidCase[] = [
  {
    name: "auth.jwt with neither jwksURL nor jwksSecretRef",
    spec: jwt({}),
    expect: ["spec.auth.jwt needs exactly one of jwksURL", "jwksSecretRef"],
  },
  {
    name: "auth.jwt with both jwksURL and jwksSecretRef",
    spec: jwt({
      jwksURL: "https://login.example.com/jwks.json",
      jwksSecretRef: { name: "jwks" },
    }),
    expect: ["spec.auth.jwt needs exactly one of jwksURL"],
  },
  {
    name: "auth.jwt with a plain-http jwksURL",
    spec: jwt({ jwksURL: "http://login.example.com/jwks.json" }),
    expect: ["spec.auth.jwt.jwksURL must be an absolute https:// URL"],
  },
  {
    name: "auth.jwt with a relative jwksURL",
    spec: jwt({ jwksURL: "/jwks.json" }),
    expect: ["spec.auth.jwt.jwksURL must be an absolute https:// URL"],
  },
  {
    name: "auth.jwt without audiences",
    spec: { auth: { jwt: { issuer: "https://i/", jwksURL: "https://i/jwks" } } },
    expect: ["spec.auth.jwt.audiences", "Required value"],
  },
  {
    name: "auth.jwt with an empty audience list",
    spec: jwt({ audiences: [], jwksURL: "https://i/jwks" }),
    expect: ["spec.auth.jwt.audiences"],
  },
  {
    name: "auth.jwt with a comma in an audience",
    spec: jwt({ audiences: ["a,b"], jwksURL: "https://i/jwks" }),
    expect: ["audiences entries must not contain commas or spaces"],
  },
  {
    name: "auth.jwt with an invalid Secret name",
    spec: jwt({ jwksSecretRef: { name: "Not_A_Name" } }),
    expect: ["spec.auth.jwt.jwksSecretRef.name must be a valid Secret name"],
  },
  {
    name: "auth.jwt with an invalid Secret key",
    spec: jwt({ jwksSecretRef: { name: "jwks", key: "a/b" } }),
    expect: ["spec.auth.jwt.jwksSecretRef.key must be a valid Secret key"],
  },
];
