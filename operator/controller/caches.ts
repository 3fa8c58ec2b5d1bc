/** The informer caches the reconciler reads, keyed by child kind. */
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Tenant } from "../api/types.js";
import type { Informer } from "../kube/informer.js";
import { CHILD_KINDS, type ChildKind } from "../tenant/children.js";

export interface Caches {
  tenants: Informer<Tenant>;
  /** Informers of owned kinds by `apiVersion/kind`; optional kinds appear once their API is served. */
  children: Map<string, Informer<KubernetesObject>>;
}

export function kindKey(obj: { apiVersion?: string; kind?: string }): string {
  return `${obj.apiVersion}/${obj.kind}`;
}

export function childKindOf(obj: { apiVersion?: string; kind?: string }): ChildKind | undefined {
  return CHILD_KINDS.find((k) => k.apiVersion === obj.apiVersion && k.kind === obj.kind);
}

/** The cached copy of the object `obj` names (same kind, namespace and name). */
export function observedOf(caches: Caches, obj: KubernetesObject): KubernetesObject | undefined {
  return caches.children.get(kindKey(obj))?.get(obj.metadata?.name ?? "", obj.metadata?.namespace);
}
