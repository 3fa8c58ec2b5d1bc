/** Condition bookkeeping: merge new verdicts into the old list without needless changes. */
import type { Condition, ConditionStatus } from "../api/types.js";

export const ConditionTypes = {
  Ready: "Ready",
  Progressing: "Progressing",
  Degraded: "Degraded",
  DNSReady: "DNSReady",
  TLSReady: "TLSReady",
  /** Only with spec.hibernation: True while the schedule keeps the tenant asleep. */
  Hibernating: "Hibernating",
} as const;

export type ConditionType = (typeof ConditionTypes)[keyof typeof ConditionTypes];

/** A condition without its bookkeeping fields. */
export interface ConditionVerdict {
  status: ConditionStatus;
  reason: string;
  message: string;
}

/** RFC 3339 with second precision, as Kubernetes writes metav1.Time. */
export function timestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The condition to store: `lastTransitionTime` moves only when the status changes, and an
 * unchanged condition is returned as the very same object, so recomputing an unchanged status
 * yields a deeply equal one (and the runtime writes nothing).
 */
export function mergeCondition(
  previous: Condition | undefined,
  type: string,
  verdict: ConditionVerdict,
  generation: number,
  now: Date,
): Condition {
  const next: Condition = {
    type,
    status: verdict.status,
    reason: verdict.reason,
    message: verdict.message,
    observedGeneration: generation,
    lastTransitionTime:
      previous && previous.status === verdict.status ? previous.lastTransitionTime : timestamp(now),
  };
  if (
    previous &&
    previous.status === next.status &&
    previous.reason === next.reason &&
    previous.message === next.message &&
    previous.observedGeneration === next.observedGeneration
  ) {
    return previous;
  }
  return next;
}

/**
 * Our conditions in a fixed order, followed by any other types someone else keeps on the object.
 */
export function mergeConditions(
  previous: Condition[] | undefined,
  verdicts: ReadonlyArray<readonly [string, ConditionVerdict]>,
  generation: number,
  now: Date,
): Condition[] {
  const old = new Map((previous ?? []).map((c) => [c.type, c]));
  const ours = verdicts.map(([type, v]) => mergeCondition(old.get(type), type, v, generation, now));
  const ourTypes = new Set(verdicts.map(([type]) => type));
  const foreign = (previous ?? []).filter((c) => !ourTypes.has(c.type));
  return [...ours, ...foreign];
}

export function findCondition(
  conditions: Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
