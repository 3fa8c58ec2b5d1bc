import { describe, expect, it } from "vitest";
import type { Tenant } from "../api/types.js";
import { renderTenant } from "./render.js";
import type { HibernationState } from "./schedule.js";
import { computeStatus, statusChanged, type ObservedState } from "./status.js";
import { deploymentStatus, renderConfig, tenant } from "./testing/fixtures.js";

const NOW = new Date("2026-06-01T21:00:00.000Z");
const WAKE = new Date("2026-06-02T05:00:00.000Z");
const schedule = {
  sleepSchedule: "0 22 * * *",
  wakeSchedule: "0 7 * * *",
  timeZone: "Europe/Berlin",
};
const asleep: HibernationState = { valid: true, asleep: true, nextTransition: WAKE };
const awake: HibernationState = {
  valid: true,
  asleep: false,
  nextTransition: new Date("2026-06-02T20:00:00Z"),
};

function observed(hibernation?: HibernationState, replicas = 1): ObservedState {
  return {
    generation: 1,
    applied: true,
    missingCrds: [],
    deployment: deploymentStatus({ replicas }),
    tlsSecretReady: true,
    dnsEndpointApplied: true,
    hibernation,
  };
}

function conditions(t: Tenant, o: ObservedState): Record<string, string> {
  const s = computeStatus(t, o, NOW);
  return Object.fromEntries((s.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));
}

describe("status of a hibernating tenant", () => {
  const sleeper = tenant().withHibernation(schedule).build();

  it("is Ready (reason Hibernating) and Hibernating=True while asleep, with the wake-up time", () => {
    const s = computeStatus(sleeper, observed(asleep, 0), NOW);
    expect(conditions(sleeper, observed(asleep, 0))).toMatchObject({
      Ready: "True/Hibernating",
      Progressing: "False/AsExpected",
      Degraded: "False/AsExpected",
      Hibernating: "True/Asleep",
    });
    expect(s.hibernation).toEqual({ state: "Asleep", nextTransitionTime: "2026-06-02T05:00:00Z" });
    expect(s.conditions?.find((c) => c.type === "Ready")?.message).toContain(
      "2026-06-02T05:00:00Z",
    );
  });

  it("says Hibernating=False (Awake) and the next sleep time while awake", () => {
    expect(conditions(sleeper, observed(awake))).toMatchObject({
      Ready: "True/Ready",
      Hibernating: "False/Awake",
    });
    expect(computeStatus(sleeper, observed(awake), NOW).hibernation).toEqual({
      state: "Awake",
      nextTransitionTime: "2026-06-02T20:00:00Z",
    });
  });

  it("lets spec.suspend win over the schedule", () => {
    const t = tenant().withHibernation(schedule).suspended().build();
    expect(conditions(t, observed(asleep, 0))).toMatchObject({
      Ready: "True/Suspended",
      Hibernating: "False/Suspended",
    });
    expect(computeStatus(t, observed(asleep, 0), NOW).hibernation).toBeUndefined();
  });

  it("is Degraded (InvalidSchedule) with the library's complaint, and stays awake", () => {
    const invalid: HibernationState = {
      valid: false,
      message: 'spec.hibernation.timeZone "Mars/X" is not a known IANA time zone',
    };
    expect(conditions(sleeper, observed(invalid))).toMatchObject({
      Ready: "False/InvalidSchedule",
      Degraded: "True/InvalidSchedule",
      Hibernating: "False/InvalidSchedule",
    });
  });

  it("drops the Hibernating condition once the schedule is removed", () => {
    const before = computeStatus(sleeper, observed(asleep, 0), NOW);
    const after = tenant()
      .withConditions(...(before.conditions ?? []))
      .build();
    const s = computeStatus(after, observed(undefined), NOW);
    expect(s.conditions?.map((c) => c.type)).not.toContain("Hibernating");
    expect(s.hibernation).toBeUndefined();
  });

  it("gives the same status again for the same clock reading (no write on a no-op reconcile)", () => {
    const first = computeStatus(sleeper, observed(asleep, 0), NOW);
    const again = tenant().withHibernation(schedule).build();
    again.status = first;
    const later = new Date(NOW.getTime() + 60_000);
    expect(statusChanged(first, computeStatus(again, observed(asleep, 0), later))).toBe(false);
  });
});

describe("rendering a hibernating tenant", () => {
  const config = renderConfig();
  const replicasOf = (t: Tenant, asleepNow: boolean): number | undefined => {
    const d = renderTenant(t, config, { asleep: asleepNow }).find(
      (o) => o.kind === "Deployment",
    ) as {
      spec: { replicas?: number };
    };
    return d.spec.replicas;
  };
  const kinds = (t: Tenant, asleepNow: boolean): string[] =>
    renderTenant(t, config, { asleep: asleepNow }).map((o) => o.kind ?? "");

  it("scales to zero while asleep and keeps the Service, Ingresses and data volume", () => {
    const t = tenant().withHibernation(schedule).build();
    expect(replicasOf(t, true)).toBe(0);
    expect(replicasOf(t, false)).toBe(1);
    expect(kinds(t, true)).toEqual(
      expect.arrayContaining(["Service", "Ingress", "PersistentVolumeClaim"]),
    );
  });

  it("sets the autoscaler aside while asleep and brings it back on wake", () => {
    const t = tenant().external("db").withAutoscaling(2, 5).withHibernation(schedule).build();
    expect(kinds(t, true)).not.toContain("HorizontalPodAutoscaler");
    expect(replicasOf(t, true)).toBe(0);
    expect(kinds(t, false)).toContain("HorizontalPodAutoscaler");
    expect(replicasOf(t, false)).toBeUndefined();
  });

  it("ignores an asleep verdict without a schedule", () => {
    expect(replicasOf(tenant().build(), true)).toBe(1);
  });
});
