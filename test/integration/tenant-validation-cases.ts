/**
 * Invalid Tenants and what the API server must say about each: the field the message names
 * and a phrase of the message. Used by tenant-validation.cluster.test.ts.
 */

export type Spec = Record<string, unknown>;

export interface InvalidCase {
  name: string;
  /** Replaces (shallowly) the valid base spec; a key set to undefined is removed. */
  spec?: Spec;
  /** Overrides metadata.name. */
  metadataName?: string;
  /** Every string must appear in kubectl's error output. */
  expect: string[];
}

export const BASE_SPEC: Spec = { displayName: "Validation Test", host: "valid.example.com" };

const long = (n: number, ch = "a"): string => ch.repeat(n);
/** A DNS name of exactly `n` characters made of 50-character labels. */
function dnsNameOfLength(n: number): string {
  const labels: string[] = [];
  let left = n;
  while (left > 0) {
    const size = Math.min(50, left);
    labels.push(long(size));
    left -= size + 1;
  }
  return labels.join(".").slice(0, n).replace(/\.$/, "a");
}

export const INVALID_CASES: InvalidCase[] = [
  // host
  {
    name: "host with upper-case letters",
    spec: { host: "Acme.example.com" },
    expect: ["spec.host", "must be a DNS name"],
  },
  {
    name: "host with an underscore",
    spec: { host: "acme_corp.example.com" },
    expect: ["spec.host", "must be a DNS name"],
  },
  {
    name: "host with a trailing dot",
    spec: { host: "acme.example.com." },
    expect: ["spec.host", "must be a DNS name"],
  },
  {
    name: "host with a label over 63 characters",
    spec: { host: `${long(64)}.example.com` },
    expect: ["spec.host", "must be a DNS name"],
  },
  {
    name: "host with a scheme",
    spec: { host: "https://acme.example.com" },
    expect: ["spec.host", "must be a DNS name"],
  },
  {
    name: "host that is an IP address",
    spec: { host: "192.0.2.10" },
    expect: ["spec.host", "not an IP address"],
  },
  {
    name: "host too long for grpc.<host>",
    spec: { host: dnsNameOfLength(250) },
    expect: ["spec.host", "at most 248 characters"],
  },
  {
    name: "host over 253 characters",
    spec: { host: dnsNameOfLength(260) },
    expect: ["spec.host", "253"],
  },
  { name: "missing host", spec: { host: undefined }, expect: ["spec.host", "Required value"] },
  // displayName
  {
    name: "missing displayName",
    spec: { displayName: undefined },
    expect: ["spec.displayName", "Required value"],
  },
  {
    name: "displayName over 100 characters",
    spec: { displayName: long(101) },
    expect: ["spec.displayName", "100"],
  },
  // branding
  {
    name: "primaryColor that is a colour name",
    spec: { branding: { primaryColor: "red" } },
    expect: ["spec.branding.primaryColor", "#rrggbb"],
  },
  {
    name: "primaryColor with 5 hex digits",
    spec: { branding: { primaryColor: "#12345" } },
    expect: ["spec.branding.primaryColor", "#rrggbb"],
  },
  {
    name: "primaryColor without #",
    spec: { branding: { primaryColor: "1f6feb" } },
    expect: ["spec.branding.primaryColor", "#rrggbb"],
  },
  {
    name: "logoURL over plain http",
    spec: { branding: { logoURL: "http://cdn.example.com/logo.svg" } },
    expect: ["spec.branding.logoURL", "https://"],
  },
  {
    name: "logoURL that is not a URL",
    spec: { branding: { logoURL: "logo.svg" } },
    expect: ["spec.branding.logoURL", "https://"],
  },
  {
    name: "welcomeMessage of 501 characters",
    spec: { branding: { welcomeMessage: long(501) } },
    expect: ["spec.branding.welcomeMessage", "at most 500 characters"],
  },
  // replicas and autoscaling
  {
    name: "negative replicas",
    spec: { replicas: -1 },
    expect: ["spec.replicas", "greater than or equal to 0"],
  },
  {
    name: "replicas over 100",
    spec: { replicas: 101 },
    expect: ["spec.replicas", "less than or equal to 100"],
  },
  {
    name: "2 replicas on the embedded database",
    spec: { replicas: 2 },
    expect: ["spec.replicas", "needs spec.database.mode: external"],
  },
  {
    name: "2 replicas with database.mode embedded said outright",
    spec: { replicas: 2, database: { mode: "embedded" } },
    expect: ["spec.replicas", "only one pod can use"],
  },
  {
    name: "maxReplicas below minReplicas",
    spec: { autoscaling: { minReplicas: 5, maxReplicas: 2 } },
    expect: [
      "spec.autoscaling.maxReplicas",
      "must be greater than or equal to spec.autoscaling.minReplicas",
    ],
  },
  {
    name: "autoscaling without maxReplicas",
    spec: { autoscaling: { minReplicas: 2 } },
    expect: ["spec.autoscaling.maxReplicas", "Required value"],
  },
  {
    name: "CPU target over 100%",
    spec: { autoscaling: { maxReplicas: 3, targetCPUUtilizationPercentage: 150 } },
    expect: ["spec.autoscaling.targetCPUUtilizationPercentage", "less than or equal to 100"],
  },
  // database
  {
    name: "external database without secretRef",
    spec: { database: { mode: "external" } },
    expect: ["spec.database.secretRef", "required when spec.database.mode is external"],
  },
  {
    name: "embedded database with a secretRef",
    spec: { database: { mode: "embedded", secretRef: { name: "db" } } },
    expect: ["spec.database.secretRef", "only allowed when spec.database.mode is external"],
  },
  {
    name: "unknown database mode",
    spec: { database: { mode: "mysql" } },
    expect: ["spec.database.mode", "Unsupported value"],
  },
  {
    name: "secretRef name that is not a Secret name",
    spec: { database: { mode: "external", secretRef: { name: "Bad_Name" } } },
    expect: ["spec.database.secretRef.name", "valid Secret name"],
  },
  {
    name: "external database with embedded storage settings",
    spec: { database: { mode: "external", secretRef: { name: "db" }, storage: { size: "1Gi" } } },
    expect: ["spec.database.storage", "only allowed when spec.database.mode is embedded"],
  },
  // quota and resources
  {
    name: "negative CPU quota",
    spec: { quota: { cpu: "-1" } },
    expect: ["spec.quota.cpu", "non-negative quantity"],
  },
  {
    name: "memory quota that is not a quantity",
    spec: { quota: { memory: "lots" } },
    expect: ["spec.quota.memory", "non-negative quantity"],
  },
  {
    name: "negative storage quota as a number",
    spec: { quota: { storage: -5 } },
    expect: ["spec.quota.storage", "non-negative quantity"],
  },
  {
    name: "negative pod quota",
    spec: { quota: { pods: -1 } },
    expect: ["spec.quota.pods", "greater than or equal to 0"],
  },
  {
    name: "CPU limit below the request",
    spec: { resources: { requests: { cpu: "500m" }, limits: { cpu: "250m" } } },
    expect: ["spec.resources.limits.cpu", "greater than or equal to spec.resources.requests.cpu"],
  },
  {
    name: "memory request that is not a quantity",
    spec: { resources: { requests: { memory: "big" } } },
    expect: ["spec.resources.requests.memory", "non-negative quantity"],
  },
  // services, TLS, DNS, ingress
  {
    name: "unknown service",
    spec: { services: ["calculator", "mail"] },
    expect: ["spec.services[1]", "Unsupported value"],
  },
  {
    name: "service listed twice",
    spec: { services: ["users", "users"] },
    expect: ["spec.services[1]", "Duplicate value"],
  },
  {
    name: "issuer of an unknown kind",
    spec: { tls: { issuerRef: { name: "le", kind: "Vault" } } },
    expect: ["spec.tls.issuerRef.kind", "Unsupported value"],
  },
  {
    name: "issuerRef without a name",
    spec: { tls: { issuerRef: { kind: "Issuer" } } },
    expect: ["spec.tls.issuerRef.name", "Required value"],
  },
  {
    name: "zero DNS TTL",
    spec: { dns: { ttl: 0 } },
    expect: ["spec.dns.ttl", "greater than or equal to 1"],
  },
  {
    name: "DNS target that is neither IP nor name",
    spec: { dns: { targets: ["not a host!"] } },
    expect: ["spec.dns.targets", "IP addresses or DNS names"],
  },
  {
    name: "two CNAME targets",
    spec: { dns: { targets: ["a.example.net", "b.example.net"] } },
    expect: ["spec.dns.targets", "single DNS name"],
  },
  {
    name: "IngressClass name with spaces",
    spec: { ingress: { className: "my class" } },
    expect: ["spec.ingress.className", "valid IngressClass name"],
  },
  // wrong types and hostile input
  {
    name: "replicas given as a word",
    spec: { replicas: "three" },
    expect: ["spec.replicas", "integer"],
  },
  { name: "host given as a number", spec: { host: 42 }, expect: ["spec.host", "string"] },
  {
    name: "host with a Cyrillic look-alike letter",
    spec: { host: "\u0430cme.example.com" },
    expect: ["spec.host", "must be a DNS name"],
  },
  {
    name: "host with a newline",
    spec: { host: "acme.example.com\nevil.example.com" },
    expect: ["spec.host", "must be a DNS name"],
  },
  {
    name: "displayName of a megabyte",
    spec: { displayName: long(1 << 20) },
    expect: ["spec.displayName", "100"],
  },
  {
    name: "welcomeMessage of 100 kB",
    spec: { branding: { welcomeMessage: long(100_000) } },
    expect: ["spec.branding.welcomeMessage"],
  },
  {
    name: "branding given as a string",
    spec: { branding: "<script>alert(1)</script>" },
    expect: ["spec.branding", "object"],
  },
  {
    name: "services given as a string",
    spec: { services: "calculator" },
    expect: ["spec.services", "array"],
  },
  {
    name: "eleven DNS targets",
    spec: { dns: { targets: Array.from({ length: 11 }, (_, i) => `192.0.2.${i + 1}`) } },
    expect: ["spec.dns.targets", "11"],
  },
  {
    name: "logoURL with a javascript: scheme",
    spec: { branding: { logoURL: "javascript:alert(1)" } },
    expect: ["spec.branding.logoURL", "https://"],
  },
  {
    name: "no spec at all",
    spec: { displayName: undefined, host: undefined, __noSpec: true },
    expect: ["spec", "Required value"],
  },
  // the rest
  {
    name: "unknown deletionPolicy",
    spec: { deletionPolicy: "Orphan" },
    expect: ["spec.deletionPolicy", "Unsupported value"],
  },
  {
    name: "image with a space",
    spec: { image: "tenant service:1" },
    expect: ["spec.image", "without spaces"],
  },
  {
    name: "suspend that is not a boolean",
    spec: { suspend: "yes" },
    expect: ["spec.suspend", "boolean"],
  },
  { name: "unknown field", spec: { colour: "#ffffff" }, expect: ['unknown field "spec.colour"'] },
  {
    name: "name too long for its namespace",
    metadataName: `t${long(56)}`,
    expect: ["metadata.name: Invalid value", "at most 56 characters"],
  },
  {
    name: "name with dots",
    metadataName: "acme.corp",
    expect: ["metadata.name: Invalid value", "DNS label"],
  },
];
