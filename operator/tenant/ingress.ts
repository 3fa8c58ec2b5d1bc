import type { V1Ingress } from "@kubernetes/client-node";
import { childMeta } from "./labels.js";
import { Names } from "./names.js";
import type { ResolvedTenant } from "./spec.js";

export const BACKEND_PROTOCOL_ANNOTATION = "nginx.ingress.kubernetes.io/backend-protocol";
export const ISSUER_ANNOTATION = "cert-manager.io/issuer";
export const CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer";

/** cert-manager's ingress-shim annotation: it creates the Certificate that fills the TLS Secret. */
function issuerAnnotation(t: ResolvedTenant): Record<string, string> {
  const issuer = t.tls.issuer;
  if (!t.tls.enabled || !issuer) return {};
  const key = issuer.kind === "Issuer" ? ISSUER_ANNOTATION : CLUSTER_ISSUER_ANNOTATION;
  return { [key]: issuer.name };
}

function ingress(
  t: ResolvedTenant,
  name: string,
  host: string,
  backend: { service: string; port: "http" | "grpc" },
  tlsSecret: string,
  annotations: Record<string, string>,
): V1Ingress {
  const obj: V1Ingress = {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: childMeta(t, name, { annotations: { ...annotations, ...issuerAnnotation(t) } }),
    spec: {
      ...(t.ingressClassName ? { ingressClassName: t.ingressClassName } : {}),
      ...(t.tls.enabled ? { tls: [{ hosts: [host], secretName: tlsSecret }] } : {}),
      rules: [
        {
          host,
          http: {
            paths: [
              {
                path: "/",
                pathType: "Prefix",
                backend: {
                  service: { name: backend.service, port: { name: backend.port } },
                },
              },
            ],
          },
        },
      ],
    },
  };
  return obj;
}

/**
 * Two Ingresses: <host> for the web UI and HTTP API (Service `tenant`, port http), grpc.<host>
 * for gRPC (Service `tenant-grpc`, whose port speaks h2c: ingress-nginx learns it from the GRPC
 * backend-protocol annotation, Traefik from that Service's annotation, see service.ts). Each has
 * its own TLS Secret so cert-manager issues one Certificate per Ingress without the two
 * fighting over one Secret.
 */
export function renderIngresses(t: ResolvedTenant): V1Ingress[] {
  return [
    ingress(
      t,
      Names.httpIngress,
      t.host,
      { service: Names.service, port: "http" },
      Names.httpTlsSecret,
      {},
    ),
    ingress(
      t,
      Names.grpcIngress,
      t.grpcHost,
      { service: Names.grpcService, port: "grpc" },
      Names.grpcTlsSecret,
      {
        [BACKEND_PROTOCOL_ANNOTATION]: "GRPC",
      },
    ),
  ];
}

/** The TLS Secrets cert-manager should fill for this tenant (none with TLS off): for TLSReady. */
export function tlsSecretNames(t: ResolvedTenant): string[] {
  return t.tls.enabled ? [Names.httpTlsSecret, Names.grpcTlsSecret] : [];
}
