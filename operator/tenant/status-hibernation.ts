/**
 * What the status says about spec.hibernation, as pure functions of the Tenant and the
 * schedule's verdict for now (schedule.ts).
 *
 * Ready while asleep: True, reason Hibernating. A sleeping tenant is where its spec says it
 * should be at this hour, exactly like a suspended one (Ready=True, reason Suspended), so
 * `kubectl wait --for=condition=Ready`, Flux (kstatus: Current) and Argo CD (Healthy, with the
 * message) do not hang or fail a nightly sync. Whether pods are running is in the Hibernating
 * condition (True while asleep) and in status.hibernation.
 */
import type { Tenant, TenantStatus } from "../api/types.js";
import type { ConditionVerdict } from "./conditions.js";
import { Reasons } from "./reasons.js";
import type { HibernationState } from "./schedule.js";

/** RFC 3339 with second precision. */
function rfc3339(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The Hibernating condition; undefined without spec.hibernation (the condition is removed). */
export function hibernatingVerdict(
  tenant: Tenant,
  state: HibernationState | undefined,
): ConditionVerdict | undefined {
  if (!tenant.spec.hibernation || !state) return undefined;
  if (tenant.spec.suspend) {
    return {
      status: "False",
      reason: Reasons.Suspended,
      message: "spec.suspend is set and wins over the hibernation schedule",
    };
  }
  if (!state.valid)
    return { status: "False", reason: Reasons.InvalidSchedule, message: state.message };
  const until = rfc3339(state.nextTransition);
  return state.asleep
    ? { status: "True", reason: Reasons.Asleep, message: `asleep on schedule until ${until}` }
    : { status: "False", reason: Reasons.Awake, message: `awake until ${until}` };
}

/** status.hibernation: the state and the next transition, while the schedule is in force. */
export function hibernationStatus(
  tenant: Tenant,
  state: HibernationState | undefined,
): TenantStatus["hibernation"] {
  if (!tenant.spec.hibernation || !state?.valid || tenant.spec.suspend) return undefined;
  return {
    state: state.asleep ? "Asleep" : "Awake",
    nextTransitionTime: rfc3339(state.nextTransition),
  };
}

/** The Ready message while asleep. */
export function asleepMessage(state: HibernationState & { valid: true }): string {
  return `hibernating on schedule: scaled to zero pods until ${rfc3339(state.nextTransition)}`;
}
