import type { V1Service } from "@kubernetes/client-node";
import { childMeta, selectorLabels } from "./labels.js";
import { Names, ServicePorts } from "./names.js";
import type { ResolvedTenant } from "./spec.js";

/**
 * Traefik's Kubernetes Ingress provider picks the scheme to its backends per Service, not per
 * port (it ignores `appProtocol`): with this annotation it speaks h2c to every port of the
 * Service, which is why gRPC has a Service of its own.
 */
export const TRAEFIK_SERVERS_SCHEME_ANNOTATION =
  "traefik.ingress.kubernetes.io/service.serversscheme";

const grpcPort = {
  name: "grpc",
  port: ServicePorts.grpc,
  targetPort: "grpc",
  protocol: "TCP",
  appProtocol: "kubernetes.io/h2c",
};

/**
 * The ClusterIP Services: `tenant` with both ports (http 80 -> container http 8080, grpc 50051)
 * for clients in the cluster, and `tenant-grpc` with the grpc port only, the backend of the
 * grpc.<host> Ingress. Its port says h2c in `appProtocol` (Gateway API controllers and others
 * read it) and in Traefik's Service annotation; ingress-nginx reads the Ingress's
 * backend-protocol annotation instead. On `tenant` the same annotation would make Traefik speak
 * h2c to the HTTP/1.1 port too.
 */
export function renderServices(t: ResolvedTenant): V1Service[] {
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: childMeta(t, Names.service),
      spec: {
        type: "ClusterIP",
        selector: selectorLabels(t),
        ports: [
          { name: "http", port: ServicePorts.serviceHttp, targetPort: "http", protocol: "TCP" },
          grpcPort,
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: childMeta(t, Names.grpcService, {
        annotations: { [TRAEFIK_SERVERS_SCHEME_ANNOTATION]: "h2c" },
      }),
      spec: { type: "ClusterIP", selector: selectorLabels(t), ports: [grpcPort] },
    },
  ];
}
