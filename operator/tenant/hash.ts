import { createHash } from "node:crypto";
import type { KubernetesObject } from "@kubernetes/client-node";

/** Annotation holding the hash of what the operator last applied to a child. */
export const APPLIED_HASH_ANNOTATION = "platform.tenancy.dev/applied-hash";

/** JSON with object keys sorted at every level: equal values give equal strings. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/**
 * Stable hash of a rendered object, ignoring the hash annotation itself.
 * Same desired object => same hash, whatever the key order.
 */
export function hashObject(obj: KubernetesObject): string {
  const copy = structuredClone<KubernetesObject>(obj);
  const annotations = copy.metadata?.annotations;
  if (annotations) {
    delete annotations[APPLIED_HASH_ANNOTATION];
    if (Object.keys(annotations).length === 0) delete copy.metadata!.annotations;
  }
  return createHash("sha256").update(canonicalJson(copy)).digest("hex").slice(0, 32);
}

/** Returns obj with the applied-hash annotation set to hashObject(obj). */
export function withAppliedHash<T extends KubernetesObject>(obj: T): T {
  const hash = hashObject(obj);
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      annotations: { ...obj.metadata?.annotations, [APPLIED_HASH_ANNOTATION]: hash },
    },
  };
}

/** The hash an observed object carries, if any. */
export function appliedHashOf(obj: KubernetesObject | undefined): string | undefined {
  return obj?.metadata?.annotations?.[APPLIED_HASH_ANNOTATION];
}
