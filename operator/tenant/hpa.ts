import type { V2HorizontalPodAutoscaler } from "@kubernetes/client-node";
import { childMeta } from "./labels.js";
import { Names } from "./names.js";
import type { ResolvedTenant } from "./spec.js";

/**
 * CPU-based autoscaling of the Deployment; only when spec.autoscaling is set, the database is
 * external (the embedded one allows a single pod) and the tenant is not suspended.
 */
export function renderHpa(t: ResolvedTenant): V2HorizontalPodAutoscaler | undefined {
  const a = t.autoscaling;
  if (!a) return undefined;
  return {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    metadata: childMeta(t, Names.hpa),
    spec: {
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: Names.deployment },
      minReplicas: a.minReplicas,
      maxReplicas: a.maxReplicas,
      metrics: [
        {
          type: "Resource",
          resource: {
            name: "cpu",
            target: { type: "Utilization", averageUtilization: a.targetCPUUtilizationPercentage },
          },
        },
      ],
    },
  };
}
