import type { KubernetesObject, V1ResourceQuota } from "@kubernetes/client-node";
import { childMeta } from "./labels.js";
import { Names } from "./names.js";
import { DEFAULT_RESOURCES, type ResolvedTenant } from "./spec.js";

/**
 * ResourceQuota from spec.quota. cpu and memory cap the sum of *requests* (capping limits too
 * would reject any pod without explicit limits); storage caps PVC requests.
 */
export function renderResourceQuota(t: ResolvedTenant): V1ResourceQuota | undefined {
  const q = t.quota;
  if (!q) return undefined;
  const hard: Record<string, string> = {};
  if (q.cpu !== undefined) hard["requests.cpu"] = q.cpu;
  if (q.memory !== undefined) hard["requests.memory"] = q.memory;
  if (q.pods !== undefined) hard.pods = String(q.pods);
  if (q.storage !== undefined) hard["requests.storage"] = q.storage;
  return {
    apiVersion: "v1",
    kind: "ResourceQuota",
    metadata: childMeta(t, Names.resourceQuota),
    spec: { hard },
  };
}

/** The object as sent on the wire: client-node calls the defaults `_default`, the API `default`. */
export interface WireLimitRange extends KubernetesObject {
  spec: {
    limits: {
      type: string;
      defaultRequest?: Record<string, string>;
      default?: Record<string, string>;
    }[];
  };
}

/**
 * With a quota in place every container needs requests: the LimitRange gives defaults to any
 * container that names none (the tenant's own Deployment always sets them).
 */
export function renderLimitRange(t: ResolvedTenant): WireLimitRange | undefined {
  if (!t.quota) return undefined;
  return {
    apiVersion: "v1",
    kind: "LimitRange",
    metadata: childMeta(t, Names.limitRange),
    spec: {
      limits: [
        {
          type: "Container",
          defaultRequest: { ...DEFAULT_RESOURCES.requests },
          default: { ...DEFAULT_RESOURCES.limits },
        },
      ],
    },
  };
}
