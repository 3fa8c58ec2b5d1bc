/**
 * Fixed names of a tenant's children. Every namespaced child lives in namespaceFor(tenant), so
 * names need not carry the tenant's name; they never change, which keeps apply and prune simple.
 */
export { namespaceFor } from "./children.js";

export const Names = {
  serviceAccount: "tenant",
  brandingConfigMap: "branding",
  deployment: "tenant",
  service: "tenant",
  /** The grpc.<host> Ingress's backend: the grpc port alone (service.ts says why). */
  grpcService: "tenant-grpc",
  httpIngress: "tenant-http",
  grpcIngress: "tenant-grpc",
  httpTlsSecret: "tenant-http-tls",
  grpcTlsSecret: "tenant-grpc-tls",
  dnsEndpoint: "tenant",
  resourceQuota: "tenant-quota",
  limitRange: "tenant-limits",
  networkPolicy: "tenant-ingress",
  hpa: "tenant",
  pdb: "tenant",
  dataPvc: "tenant-data",
  container: "service",
} as const;

/** The gRPC endpoint's DNS name for a tenant host. */
export function grpcHostFor(host: string): string {
  return `grpc.${host}`;
}

/** The container's ports and where it reads its files (the service's documented env contract). */
export const ServicePorts = { http: 8080, grpc: 50051, serviceHttp: 80 } as const;
export const Paths = {
  branding: "/etc/tenant/branding",
  data: "/data",
  tmp: "/tmp",
  /** spec.auth.jwt.jwksSecretRef's Secret (auth.ts). */
  jwks: "/etc/tenant/jwks",
} as const;
