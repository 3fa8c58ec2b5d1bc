/**
 * Does an observed child still match what the operator wants? Pure.
 *
 * A child is applied when it is missing, when its applied-hash annotation differs from the
 * desired one (the desired object changed), or when someone changed a field the operator sets
 * (drift: a hand-scaled Deployment, an edited ConfigMap). Drift is "the desired object is not a
 * subset of the observed one": fields the server or other controllers add are ignored. Fields
 * the API server normalizes (e.g. a quantity written differently) would look like drift forever;
 * the runtime learns those paths from the answer to its own apply (`mismatchedPaths` of the
 * desired object against the applied result) and passes them as `ignored`.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { findDrift } from "../tenant/drift.js";
import { appliedHashOf } from "../tenant/hash.js";

export type ApplyDecision = "create" | "update" | "drift" | "none";

export function decideApply(
  desired: KubernetesObject,
  observed: KubernetesObject | undefined,
  ignored?: ReadonlySet<string>,
): ApplyDecision {
  if (!observed) return "create";
  if (appliedHashOf(observed) !== appliedHashOf(desired)) return "update";
  return mismatchedPaths(desired, observed).some((p) => !ignored?.has(p)) ? "drift" : "none";
}

/**
 * Paths where `desired` is not contained in `observed` (render's own subset check: quantities by
 * value, keyed lists by key; metadata: labels, annotations, owners only).
 */
export function mismatchedPaths(desired: KubernetesObject, observed: KubernetesObject): string[] {
  return findDrift(desired, observed);
}
