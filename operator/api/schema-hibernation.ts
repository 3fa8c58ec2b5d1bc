/**
 * spec.hibernation: sleep and wake the tenant on a schedule (0 pods while asleep, everything
 * else kept). The CRD checks the shape (five cron fields, a zone name); the operator checks the
 * rest with the cron library and reports what it cannot parse as Degraded (InvalidSchedule).
 */
import { obj, str } from "./schema-helpers.js";
import type { SchemaProps, ValidationRule } from "./schema-types.js";

/** Five fields separated by spaces; each field made of digits, names, * , - / only. */
export const CRON_SHAPE_RE = "^[0-9A-Za-z*,/-]+( +[0-9A-Za-z*,/-]+){4}$";
/** An IANA zone name such as UTC, Europe/Berlin, America/Argentina/Buenos_Aires, Etc/GMT+5. */
export const TIME_ZONE_RE = "^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$";

function cron(field: string, what: string): SchemaProps {
  const rule: ValidationRule = {
    rule: `self.matches('${CRON_SHAPE_RE}')`,
    message:
      `spec.hibernation.${field} must be a cron expression of five fields ` +
      "(minute hour day-of-month month day-of-week), e.g. '0 20 * * 1-5'",
  };
  return str(
    `${what} Five-field cron (minute hour day-of-month month day-of-week) in timeZone.`,
    128,
    { minLength: 9, "x-kubernetes-validations": [rule] },
  );
}

export const hibernationSchema: SchemaProps = obj(
  "Sleep on a schedule: while asleep the tenant runs 0 pods (an autoscaler is set aside) and " +
    "keeps its data, Service, Ingress and DNS. The tenant is asleep when the latest sleepSchedule " +
    "time is later than the latest wakeSchedule time. spec.suspend wins over the schedule.",
  {
    sleepSchedule: cron("sleepSchedule", "When the tenant goes to sleep, e.g. '0 20 * * 1-5'."),
    wakeSchedule: cron("wakeSchedule", "When the tenant wakes up, e.g. '0 7 * * 1-5'."),
    timeZone: str("IANA time zone of both schedules, e.g. Europe/Berlin.", 64, {
      default: "UTC",
      minLength: 1,
      "x-kubernetes-validations": [
        {
          rule: `self.matches('${TIME_ZONE_RE}')`,
          message:
            "spec.hibernation.timeZone must be an IANA time zone name such as UTC or Europe/Berlin",
        },
      ],
    }),
  },
  {
    required: ["sleepSchedule", "wakeSchedule"],
    "x-kubernetes-validations": [
      {
        rule: "self.sleepSchedule != self.wakeSchedule",
        message: "spec.hibernation.sleepSchedule and wakeSchedule must differ",
      },
    ],
  },
);

/** status.hibernation: where the schedule stands. */
export const hibernationStatusSchema: SchemaProps = obj(
  "Where the hibernation schedule stands (only with spec.hibernation).",
  {
    state: str("Asleep or Awake, as the schedule says now.", 6, { enum: ["Asleep", "Awake"] }),
    nextTransitionTime: str("When the schedule next changes the state (RFC 3339).", 64, {
      format: "date-time",
    }),
  },
);
