/**
 * Hibernation schedules as pure functions of the spec and an injected clock (`now`): is the
 * tenant asleep now, and when does that next change. Parsing and time-zone arithmetic are
 * cron-parser's (with luxon under it); this file only decides which boundary is the latest.
 *
 * The rule: the tenant is asleep when the latest sleepSchedule time at or before `now` is later
 * than the latest wakeSchedule time (a tie wakes it: running is the safe side). State therefore
 * follows from the schedule and the clock alone, so an operator that restarts, or misses a
 * boundary, computes the same answer as one that never stopped.
 *
 * Daylight-saving time, as cron-parser's next() defines occurrences (tested in schedule.test.ts):
 * a local time skipped by the spring-forward gap fires once, an hour later (02:30 becomes 03:30);
 * a local time repeated by the fall-back hour fires once, at its first occurrence. prev() does
 * not agree with next() on those two days (it skips the gap and sees the repeat twice), and
 * next() itself skips the shifted occurrence when started after the jump, so both the latest and
 * the next occurrence are found by stepping next() forward from two prev() steps back.
 */
import { CronExpressionParser, type CronExpression } from "cron-parser";

export interface HibernationSpec {
  sleepSchedule: string;
  wakeSchedule: string;
  timeZone?: string;
}

export type HibernationState =
  { valid: true; asleep: boolean; nextTransition: Date } | { valid: false; message: string };

export const DEFAULT_TIME_ZONE = "UTC";

/** Whether `zone` is a time zone the runtime (ICU's IANA database) knows. */
export function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function parse(expr: string, field: string, tz: string, now: Date): CronExpression {
  const fields = expr.trim().split(/\s+/);
  if (fields.length !== 5) {
    throw new ScheduleError(
      `spec.hibernation.${field} "${expr}" must have five fields (minute hour day-of-month month day-of-week)`,
    );
  }
  try {
    return CronExpressionParser.parse(fields.join(" "), { currentDate: now, tz });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new ScheduleError(
      `spec.hibernation.${field} "${expr}" is not a valid cron expression: ${why}`,
    );
  }
}

class ScheduleError extends Error {}

/**
 * The latest occurrence at or before `now` and the first after it, both by next()'s definition
 * of occurrences, stepping forward from two prev() steps back. Stepping from an anchor before
 * `now` matters on a spring-forward day: next() called from a moment between the jump and the
 * shifted occurrence (03:10 when 02:30 fires at 03:30) skips that occurrence.
 */
export function occurrencesAround(expr: CronExpression, now: Date): { latest?: Date; next: Date } {
  expr.reset(now);
  let anchor: Date | undefined;
  for (let step = 0; step < 2; step++) {
    try {
      anchor = expr.prev().toDate();
    } catch {
      break; // no earlier occurrence within the library's search: start from the last found
    }
  }
  expr.reset(anchor ? new Date(anchor.getTime() - 1) : now);
  let latest: Date | undefined;
  for (;;) {
    const d = expr.next().toDate();
    if (d.getTime() > now.getTime()) return { latest, next: d };
    latest = d;
  }
}

/**
 * Where the schedule stands at `now`. Never throws: a schedule the CRD let through but the cron
 * library refuses (an unknown zone, 61 minutes, a date that never comes) is `valid: false` with
 * a message for the Degraded condition.
 */
export function hibernationState(spec: HibernationSpec, now: Date): HibernationState {
  const tz = spec.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isKnownTimeZone(tz)) {
    return {
      valid: false,
      message: `spec.hibernation.timeZone "${tz}" is not a known IANA time zone (e.g. Europe/Berlin)`,
    };
  }
  try {
    const sleep = parse(spec.sleepSchedule, "sleepSchedule", tz, now);
    const wake = parse(spec.wakeSchedule, "wakeSchedule", tz, now);
    const sleeps = occurrencesAround(sleep, now);
    const wakes = occurrencesAround(wake, now);
    const asleep = (sleeps.latest?.getTime() ?? -Infinity) > (wakes.latest?.getTime() ?? -Infinity);
    return { valid: true, asleep, nextTransition: asleep ? wakes.next : sleeps.next };
  } catch (err) {
    const message = err instanceof ScheduleError ? err.message : `spec.hibernation: ${String(err)}`;
    return { valid: false, message };
  }
}

/**
 * How long to wait before looking at the schedule again: just past the next transition (the
 * margin absorbs timers that fire a little early), at most `maxMs` (timers cannot hold more
 * than ~24.8 days, and a later look is harmless: it recomputes from the clock).
 */
export function msUntilTransition(next: Date, now: Date, maxMs = 6 * 3600_000): number {
  const margin = 1000;
  return Math.max(margin, Math.min(maxMs, next.getTime() - now.getTime() + margin));
}
