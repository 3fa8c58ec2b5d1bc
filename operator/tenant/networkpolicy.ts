import type {
  KubernetesObject,
  V1LabelSelector,
  V1NetworkPolicySpec,
} from "@kubernetes/client-node";
import { childMeta } from "./labels.js";
import { Names } from "./names.js";
import type { RenderConfig } from "./render-config.js";
import type { ResolvedTenant } from "./spec.js";

/** Label every namespace carries (set by the API server): its own name. */
const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * The object as sent on the wire. client-node's V1NetworkPolicy names the peers `_from` (a
 * reserved word in its generator); the API server's field is `from`, and the runtime sends raw
 * JSON, so the rendered object uses the wire name.
 */
export interface WireNetworkPolicy extends KubernetesObject {
  spec: Omit<V1NetworkPolicySpec, "ingress"> & {
    ingress: { from: { namespaceSelector?: V1LabelSelector; podSelector?: V1LabelSelector }[] }[];
  };
}

/**
 * Default-deny ingress for the whole tenant namespace, except from the ingress controller's
 * namespace and from pods of the same tenant. Egress stays open (external databases).
 */
export function renderNetworkPolicy(t: ResolvedTenant, config: RenderConfig): WireNetworkPolicy {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: childMeta(t, Names.networkPolicy),
    spec: {
      podSelector: {},
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { [NAMESPACE_NAME_LABEL]: config.ingressControllerNamespace },
              },
            },
            { podSelector: {} },
          ],
        },
      ],
    },
  };
}
