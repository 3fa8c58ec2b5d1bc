import type { V1Deployment, V1DeploymentStrategy } from "@kubernetes/client-node";
import { childMeta, selectorLabels } from "./labels.js";
import { Names } from "./names.js";
import { renderPodTemplate } from "./pod.js";
import type { RenderConfig } from "./render-config.js";
import type { ResolvedTenant } from "./spec.js";

/**
 * The embedded database (SQLite) allows one process per data directory, so embedded tenants
 * run one replica and replace it with Recreate (never two pods on the volume at once).
 */
function strategy(t: ResolvedTenant): V1DeploymentStrategy {
  if (t.embedded) return { type: "Recreate" };
  return { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
}

/**
 * The service's Deployment. spec.replicas is left out when an HPA owns the count (so the
 * operator's apply never fights the autoscaler); suspend sets it to 0.
 */
export function renderDeployment(t: ResolvedTenant, config: RenderConfig): V1Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: childMeta(t, Names.deployment),
    spec: {
      ...(t.replicas !== undefined ? { replicas: t.replicas } : {}),
      selector: { matchLabels: selectorLabels(t) },
      strategy: strategy(t),
      revisionHistoryLimit: 3,
      template: renderPodTemplate(t, config),
    },
  };
}
