/**
 * The finalizer as a small state machine (after kube-rs' finalizer.rs). Two facts decide:
 * does the Tenant carry our finalizer, and is it being deleted. Four cases, four answers:
 *   not deleting, no finalizer  -> "add"      (add it, then reconcile)
 *   not deleting, finalizer     -> "apply"    (normal reconcile)
 *   deleting,     finalizer     -> "cleanup"  (clean up, then remove it)
 *   deleting,     no finalizer  -> "none"     (nothing left to do; the API server deletes it)
 * Adding and removing is a JSON patch that first tests the list it expects, so a concurrent edit
 * of the finalizers fails (422) and is retried instead of dropping someone else's entry.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import type { JsonPatchOp } from "../kube/client.js";

export type FinalizerAction = "add" | "apply" | "cleanup" | "none";

export function decideFinalizer(obj: KubernetesObject, finalizer: string): FinalizerAction {
  const has = (obj.metadata?.finalizers ?? []).includes(finalizer);
  const deleting = Boolean(obj.metadata?.deletionTimestamp);
  if (deleting) return has ? "cleanup" : "none";
  return has ? "apply" : "add";
}

/** Patch adding `finalizer` to the list the object is known to have. */
export function addFinalizerPatch(current: string[] | undefined, finalizer: string): JsonPatchOp[] {
  if (!current || current.length === 0) {
    // A test against null matches an absent list, so a finalizer added meanwhile makes this fail.
    return [
      { op: "test", path: "/metadata/finalizers", value: null },
      { op: "add", path: "/metadata/finalizers", value: [finalizer] },
    ];
  }
  return [
    { op: "test", path: "/metadata/finalizers", value: current },
    { op: "add", path: "/metadata/finalizers/-", value: finalizer },
  ];
}

/** Patch removing `finalizer` at the index it is known to have; undefined when it is absent. */
export function removeFinalizerPatch(
  current: string[] | undefined,
  finalizer: string,
): JsonPatchOp[] | undefined {
  const index = (current ?? []).indexOf(finalizer);
  if (index < 0) return undefined;
  const path = `/metadata/finalizers/${index}`;
  return [
    { op: "test", path, value: finalizer },
    { op: "remove", path },
  ];
}
