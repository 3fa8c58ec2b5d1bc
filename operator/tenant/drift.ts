/**
 * Does an observed child still say what the operator rendered? Two facts decide:
 *  - its applied-hash annotation equals the desired one (our intent has not changed), and
 *  - every field we render is present with the same value (nobody edited it by hand).
 * Fields the API server or other managers add are ignored (a subset check), quantities compare
 * by value, and list entries with a key (name, mountPath, ...) are matched by key because
 * server-side apply merges such lists. Pure, so "zero writes on a no-op reconcile" and "drift is
 * repaired" are both decided here and unit-tested.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import { appliedHashOf } from "./hash.js";
import { sameQuantity } from "./quantity.js";

/** Keys that identify the entries of the list-map fields the operator renders. */
const LIST_KEYS = ["name", "mountPath", "uid", "containerPort", "port"] as const;

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function listKey(items: Json[]): string | undefined {
  return LIST_KEYS.find(
    (k) => items.length > 0 && items.every((i) => isObject(i) && i[k] !== undefined),
  );
}

/**
 * client-node's typed models name a few fields with a leading underscore (`_from`, `_default`)
 * where the wire (and the render) says `from`, `default`: accept either spelling.
 */
function fieldOf(observed: Record<string, Json>, key: string): Json {
  if (key in observed) return observed[key];
  const alias = key.startsWith("_") ? key.slice(1) : `_${key}`;
  return observed[alias];
}

function compareLists(desired: Json[], observed: Json, path: string, out: string[]): void {
  if (!Array.isArray(observed)) return void out.push(path);
  const list: Json[] = observed as Json[];
  const key = listKey(desired);
  if (!key) {
    if (desired.length !== list.length) return void out.push(path);
    desired.forEach((d, i) => compare(d, list[i], `${path}[${i}]`, out));
    return;
  }
  for (const d of desired as Record<string, Json>[]) {
    const at = `${path}[${key}=${String(d[key])}]`;
    // Several entries may share a key (RBAC subjects: User alice and ServiceAccount alice):
    // any one that matches in full will do.
    const candidates = list.filter((o) => isObject(o) && o[key] === d[key]);
    if (candidates.length === 0) {
      out.push(at);
      continue;
    }
    const found = candidates.map((c) => {
      const mismatches: string[] = [];
      compare(d, c, at, mismatches);
      return mismatches;
    });
    if (!found.some((m) => m.length === 0)) out.push(...found[0]!);
  }
}

function compare(desired: Json, observed: Json, path: string, out: string[]): void {
  if (desired === undefined) return;
  if (Array.isArray(desired)) return compareLists(desired, observed, path, out);
  if (isObject(desired)) {
    if (!isObject(observed)) return void out.push(path);
    for (const [k, v] of Object.entries(desired))
      compare(v, fieldOf(observed, k), `${path}.${k}`, out);
    return;
  }
  if (desired === observed) return;
  if (
    typeof desired === "string" &&
    typeof observed === "string" &&
    sameQuantity(desired, observed)
  )
    return;
  out.push(path);
}

/**
 * Paths of rendered fields that the observed object lacks or holds with another value
 * (empty: no drift). Only metadata labels, annotations and ownerReferences are compared.
 */
export function findDrift(desired: KubernetesObject, observed: KubernetesObject): string[] {
  const out: string[] = [];
  const {
    apiVersion: _a,
    kind: _k,
    metadata,
    ...body
  } = desired as KubernetesObject & Record<string, Json>;
  const meta = {
    labels: metadata?.labels,
    annotations: metadata?.annotations,
    ownerReferences: metadata?.ownerReferences,
  };
  compare(meta, observed.metadata ?? {}, "metadata", out);
  const { status: _s, ...desiredBody } = body;
  compare(desiredBody, observed, "", out);
  return out.map((p) => p.replace(/^\./, ""));
}

/**
 * Whether the runtime must apply `desired`: the object is missing, our rendered intent changed
 * (applied-hash differs), or someone changed a rendered field. False means: make no request.
 */
export function needsApply(
  desired: KubernetesObject,
  observed: KubernetesObject | undefined,
): boolean {
  if (!observed) return true;
  if (appliedHashOf(observed) !== appliedHashOf(desired)) return true;
  return findDrift(desired, observed).length > 0;
}
