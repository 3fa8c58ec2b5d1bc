import { describe, expect, it } from "vitest";
import { hibernationState, msUntilTransition, type HibernationSpec } from "./schedule.js";

const at = (iso: string): Date => new Date(iso);

function state(spec: HibernationSpec, now: string): { asleep: boolean; next: string } {
  const s = hibernationState(spec, at(now));
  if (!s.valid) throw new Error(s.message);
  return { asleep: s.asleep, next: s.nextTransition.toISOString() };
}

describe("hibernationState", () => {
  const nightly: HibernationSpec = {
    sleepSchedule: "0 22 * * *",
    wakeSchedule: "0 6 * * *",
    timeZone: "Europe/Berlin",
  };

  it.each([
    // [now (UTC), asleep, next transition (UTC)]; Berlin is UTC+2 in June
    ["2026-06-01T12:00:00Z", false, "2026-06-01T20:00:00.000Z"],
    ["2026-06-01T20:00:00Z", true, "2026-06-02T04:00:00.000Z"], // exactly at the boundary: asleep
    ["2026-06-01T23:59:00Z", true, "2026-06-02T04:00:00.000Z"],
    ["2026-06-02T04:00:00Z", false, "2026-06-02T20:00:00.000Z"],
    // January: UTC+1
    ["2026-01-15T21:30:00Z", true, "2026-01-16T05:00:00.000Z"],
  ])("at %s in Europe/Berlin is asleep=%s until %s", (now, asleep, next) => {
    expect(state(nightly, now)).toEqual({ asleep, next });
  });

  it("sleeps over the weekend with weekday schedules", () => {
    const weekdays = { sleepSchedule: "0 20 * * 1-5", wakeSchedule: "0 7 * * 1-5" };
    // Saturday 2026-06-06, UTC (the default zone): asleep since Friday 20:00, wakes Monday 07:00
    expect(state(weekdays, "2026-06-06T12:00:00Z")).toEqual({
      asleep: true,
      next: "2026-06-08T07:00:00.000Z",
    });
  });

  it("wakes on a tie: both schedules firing at the same minute leave the tenant running", () => {
    const tie = { sleepSchedule: "0 0 * * *", wakeSchedule: "0 0 1 * *" };
    expect(state(tie, "2026-06-01T00:30:00Z").asleep).toBe(false);
    expect(state(tie, "2026-06-02T00:30:00Z").asleep).toBe(true);
  });

  describe("across daylight-saving changes", () => {
    it("Europe/Berlin spring forward: a sleep time in the skipped hour fires once, an hour later", () => {
      // 2026-03-29 02:00 CET jumps to 03:00 CEST: 02:30 does not exist that day.
      const spec = {
        sleepSchedule: "30 2 * * *",
        wakeSchedule: "0 5 * * *",
        timeZone: "Europe/Berlin",
      };
      expect(state(spec, "2026-03-29T00:59:00Z")).toEqual({
        asleep: false,
        next: "2026-03-29T01:30:00.000Z", // 03:30 CEST
      });
      // Between the jump (01:00Z) and the shifted time, the next transition is still that day.
      expect(state(spec, "2026-03-29T01:10:00Z")).toEqual({
        asleep: false,
        next: "2026-03-29T01:30:00.000Z",
      });
      // cron-parser's prev() skips that occurrence; the tenant must still be asleep after it.
      expect(state(spec, "2026-03-29T01:45:00Z")).toEqual({
        asleep: true,
        next: "2026-03-29T03:00:00.000Z", // 05:00 CEST
      });
      // The day before and after keep their wall-clock times (UTC+1, then UTC+2).
      expect(state(spec, "2026-03-28T01:31:00Z").asleep).toBe(true);
      expect(state(spec, "2026-03-30T00:31:00Z").asleep).toBe(true);
    });

    it("Europe/Berlin fall back: a time in the repeated hour fires once, at its first occurrence", () => {
      // 2026-10-25 03:00 CEST goes back to 02:00 CET: 02:00-02:59 happens twice.
      const spec = {
        sleepSchedule: "30 2 * * *",
        wakeSchedule: "45 2 * * *",
        timeZone: "Europe/Berlin",
      };
      expect(state(spec, "2026-10-25T00:35:00Z")).toEqual({
        asleep: true, // since 02:30 CEST (00:30Z)
        next: "2026-10-25T00:45:00.000Z", // 02:45 CEST
      });
      // 01:35Z is 02:35 CET, the second pass: 02:30 does not fire again, so it stays awake.
      expect(state(spec, "2026-10-25T01:35:00Z")).toEqual({
        asleep: false,
        next: "2026-10-26T01:30:00.000Z", // 02:30 CET the next day
      });
    });

    it("America/New_York spring forward and fall back", () => {
      const spring = {
        sleepSchedule: "30 2 * * *",
        wakeSchedule: "0 8 * * *",
        timeZone: "America/New_York",
      };
      // 2026-03-08 02:00 EST jumps to 03:00 EDT; 02:30 fires at 03:30 EDT (07:30Z)
      expect(state(spring, "2026-03-08T07:10:00Z")).toEqual({
        asleep: false,
        next: "2026-03-08T07:30:00.000Z",
      });
      expect(state(spring, "2026-03-08T07:40:00Z")).toEqual({
        asleep: true,
        next: "2026-03-08T12:00:00.000Z", // 08:00 EDT
      });
      const fall = {
        sleepSchedule: "30 1 * * *",
        wakeSchedule: "0 2 * * *",
        timeZone: "America/New_York",
      };
      // 2026-11-01 02:00 EDT goes back to 01:00 EST: asleep from 01:30 EDT (05:30Z) to 02:00 EST
      expect(state(fall, "2026-11-01T06:45:00Z")).toEqual({
        asleep: true,
        next: "2026-11-01T07:00:00.000Z",
      });
      expect(state(fall, "2026-11-01T07:00:00Z")).toEqual({
        asleep: false,
        next: "2026-11-02T06:30:00.000Z", // 01:30 EST
      });
    });
  });

  it.each([
    [{ sleepSchedule: "0 22 * *", wakeSchedule: "0 6 * * *" }, /sleepSchedule .* five fields/],
    [{ sleepSchedule: "0 22 * * *", wakeSchedule: "0 6 * * * *" }, /wakeSchedule .* five fields/],
    [{ sleepSchedule: "61 22 * * *", wakeSchedule: "0 6 * * *" }, /sleepSchedule .* not a valid/],
    [{ sleepSchedule: "0 22 30 2 *", wakeSchedule: "0 6 * * *" }, /sleepSchedule .* not a valid/],
    [
      { sleepSchedule: "0 22 * * *", wakeSchedule: "0 6 * * *", timeZone: "Mars/Olympus" },
      /timeZone "Mars\/Olympus" is not a known IANA time zone/,
    ],
  ])("reports %j as invalid with a message naming the field", (spec, message) => {
    const s = hibernationState(spec, at("2026-06-01T12:00:00Z"));
    expect(s.valid).toBe(false);
    if (!s.valid) expect(s.message).toMatch(message);
  });
});

describe("msUntilTransition", () => {
  const now = at("2026-06-01T12:00:00Z");
  it("waits until just past the transition", () => {
    expect(msUntilTransition(at("2026-06-01T12:10:00Z"), now)).toBe(600_000 + 1000);
  });
  it("never waits longer than the cap, nor less than the margin", () => {
    expect(msUntilTransition(at("2026-09-01T00:00:00Z"), now, 3600_000)).toBe(3600_000);
    expect(msUntilTransition(at("2026-06-01T11:00:00Z"), now)).toBe(1000);
  });
});
