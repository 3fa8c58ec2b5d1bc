import type { V1Service } from "@kubernetes/client-node";
import { childMeta, selectorLabels } from "./labels.js";
import { Names, ServicePorts } from "./names.js";
import type { ResolvedTenant } from "./spec.js";

/** ClusterIP Service: http 80 -> container http (8080), grpc 50051 -> container grpc (50051). */
export function renderService(t: ResolvedTenant): V1Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: childMeta(t, Names.service),
    spec: {
      type: "ClusterIP",
      selector: selectorLabels(t),
      ports: [
        { name: "http", port: ServicePorts.serviceHttp, targetPort: "http", protocol: "TCP" },
        {
          name: "grpc",
          port: ServicePorts.grpc,
          targetPort: "grpc",
          protocol: "TCP",
          appProtocol: "kubernetes.io/h2c",
        },
      ],
    },
  };
}
