import type { V1PodDisruptionBudget } from "@kubernetes/client-node";
import { childMeta, selectorLabels } from "./labels.js";
import { Names } from "./names.js";
import type { ResolvedTenant } from "./spec.js";

/** Pods the tenant can run at most: the HPA's maximum, else the fixed replica count. */
export function maxPods(t: ResolvedTenant): number {
  return t.autoscaling ? t.autoscaling.maxReplicas : (t.replicas ?? 0);
}

/**
 * Keeps voluntary disruptions (node drains) to one pod at a time; only when the tenant can run
 * more than one pod (with one pod a PDB would only block drains or mean nothing).
 */
export function renderPdb(t: ResolvedTenant): V1PodDisruptionBudget | undefined {
  if (maxPods(t) <= 1) return undefined;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: childMeta(t, Names.pdb),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(t) } },
  };
}
