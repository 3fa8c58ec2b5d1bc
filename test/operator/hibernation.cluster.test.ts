// Hibernation on the real control plane, with the built operator: a Tenant whose schedule says
// "asleep now" scales to zero within one reconcile and says so (Hibernating=True, Ready=True
// with reason Hibernating, the next transition time); its data volume, Service, Ingresses and
// DNS record stay; taking the schedule away wakes it with the same volume; an operator
// restart while it sleeps writes nothing; and a schedule that flips every minute is followed
// by the operator's per-tenant timer alone (--resync-period=0: no periodic scan).
//
// Schedules are chosen so that the state does not depend on when the test runs: sleeping every
// minute and waking only on 29 February at 00:00 is "asleep now" at any other minute.
import type { KubernetesObject, V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it, vi } from "vitest";
import type { Tenant } from "../../operator/api/types.js";
import { Names } from "../../operator/tenant/names.js";
import { waitUntil } from "../cluster/testing.js";
import {
  applyManifest,
  childVersions,
  condition,
  getObject,
  getTenant,
  isReady,
  logTail,
  minimalTenant,
  patchTenantSpec,
  tenantNamespace,
  useOperatorEnv,
  waitForIdleQueue,
  waitForTenant,
} from "./testing.js";

vi.setConfig({ testTimeout: 240_000 });

const env = useOperatorEnv("hibernation");
const ASLEEP_NOW = { sleepSchedule: "* * * * *", wakeSchedule: "0 0 29 2 *", timeZone: "UTC" };

const hibernating = (t: Tenant): boolean =>
  isReady(t) && condition(t, "Hibernating")?.status === "True";

async function deployment(name: string): Promise<V1Deployment> {
  return (await getObject<V1Deployment & KubernetesObject>(
    "deployment",
    Names.deployment,
    tenantNamespace(name),
  ))!;
}

async function uidOf(kind: string, name: string, tenant: string): Promise<string | undefined> {
  return (await getObject(kind, name, tenantNamespace(tenant)))?.metadata?.uid;
}

describe("a tenant whose schedule says asleep now", () => {
  const t = minimalTenant("hib", env.labels);
  const name = t.metadata.name!;
  /** What must outlive sleep: kind, name, and the uid seen while awake. */
  const kept = [
    { kind: "persistentvolumeclaim", name: Names.dataPvc, uid: "" },
    { kind: "service", name: Names.service, uid: "" },
    { kind: "ingress", name: Names.httpIngress, uid: "" },
    { kind: "dnsendpoint", name: Names.dnsEndpoint, uid: "" },
  ];

  it("runs first, awake, with its volume, Service, Ingress and DNS record", async () => {
    env.track(name);
    await applyManifest(t);
    await waitForTenant(name, isReady, "Ready");
    expect((await deployment(name)).spec?.replicas).toBe(1);
    for (const k of kept) {
      k.uid = (await uidOf(k.kind, k.name, name)) ?? "";
      expect(k.uid, k.kind).not.toBe("");
    }
  });

  it("has 0 replicas and Hibernating=True within one reconcile, and Ready stays True", async () => {
    const before = await env.op.metric("controller_runtime_reconcile_total");
    await patchTenantSpec(name, { hibernation: ASLEEP_NOW });
    const slept = await waitForTenant(name, hibernating, "Hibernating=True");
    expect(condition(slept, "Ready")?.reason).toBe("Hibernating");
    expect(slept.status?.hibernation?.state).toBe("Asleep");
    expect(slept.status?.hibernation?.nextTransitionTime).toMatch(/^\d{4}-02-29T00:00:00Z$/);
    expect((await deployment(name)).spec?.replicas).toBe(0);
    // One reconcile of the spec change was enough (the Deployment's own events may add more).
    expect(await env.op.metric("controller_runtime_reconcile_total")).toBeGreaterThan(before);
    for (const k of kept) {
      expect(await uidOf(k.kind, k.name, name), `${k.kind} kept while asleep`).toBe(k.uid);
    }
  });

  it("is left as it is by a restarted operator: no write, nothing changed", async () => {
    await waitForIdleQueue(env.op);
    const tenantBefore = await getTenant(name);
    const childrenBefore = await childVersions([name]);
    const op = await env.restart();
    await waitUntil("the new operator to be ready", async () => (await op.readyz()) === 200);
    await waitUntil(
      "the new operator to reconcile the tenant",
      async () => (await op.metric("controller_runtime_reconcile_total")) >= 1,
    );
    await waitForIdleQueue(op);
    expect(await op.writes(), logTail(op)).toBe(0);
    const tenantAfter = await getTenant(name);
    expect(tenantAfter.metadata.resourceVersion).toBe(tenantBefore.metadata.resourceVersion);
    expect(hibernating(tenantAfter)).toBe(true);
    expect(await childVersions([name])).toEqual(childrenBefore);
  });

  it("wakes with its data volume when the schedule is taken away", async () => {
    await patchTenantSpec(name, { hibernation: null } as unknown as Partial<Tenant["spec"]>);
    const awake = await waitForTenant(
      name,
      (x) => isReady(x) && condition(x, "Ready")?.reason === "Ready",
      "Ready (awake)",
    );
    expect(condition(awake, "Hibernating")).toBeUndefined();
    expect(awake.status?.hibernation).toBeUndefined();
    expect((await deployment(name)).spec?.replicas).toBe(1);
    expect(await uidOf(kept[0]!.kind, kept[0]!.name, name)).toBe(kept[0]!.uid);
  });
});

describe("an autoscaled tenant", () => {
  it("sets its HorizontalPodAutoscaler aside while asleep and gets it back on wake", async () => {
    const t = minimalTenant("hib-hpa", env.labels);
    const name = t.metadata.name!;
    env.track(name);
    t.spec.database = { mode: "external", secretRef: { name: "db" } };
    t.spec.autoscaling = { minReplicas: 2, maxReplicas: 4 };
    t.spec.hibernation = ASLEEP_NOW;
    await applyManifest(t);
    await waitForTenant(
      name,
      (x) => condition(x, "Hibernating")?.status === "True",
      "Hibernating=True",
    );
    expect(await getObject("hpa", Names.hpa, tenantNamespace(name))).toBeUndefined();
    expect((await deployment(name)).spec?.replicas).toBe(0);

    await patchTenantSpec(name, { hibernation: null } as unknown as Partial<Tenant["spec"]>);
    await waitUntil("the HPA to come back", async () =>
      Boolean(await getObject("hpa", Names.hpa, tenantNamespace(name))),
    );
    // The operator no longer pins replicas to 0: the API server's default (1) comes back and the
    // autoscaler owns the count from there.
    await waitUntil(
      "the Deployment to run pods again",
      async () => ((await deployment(name)).spec?.replicas ?? 0) >= 1,
    );
  });
});

describe("a schedule that changes state every minute", () => {
  it("is followed at each boundary by the tenant's own timer, with no periodic resync", async () => {
    const t = minimalTenant("hib-flip", env.labels);
    const name = t.metadata.name!;
    env.track(name);
    t.spec.hibernation = { sleepSchedule: "*/2 * * * *", wakeSchedule: "1-59/2 * * * *" };
    await applyManifest(t);
    const first = await waitForTenant(
      name,
      (x) => x.status?.hibernation?.state !== undefined,
      "a hibernation state",
    );
    const state = first.status!.hibernation!.state;
    const flipped = state === "Asleep" ? "Awake" : "Asleep";
    // Nothing changes the spec or the children's desired state: only the timer can flip it.
    await waitForTenant(
      name,
      (x) => x.status?.hibernation?.state === flipped,
      `state ${flipped}`,
      150_000,
    );
    // The Deployment follows the state (read between two equal readings of the state, since the
    // state flips again a minute later).
    await waitUntil("the Deployment to match the hibernation state", async () => {
      const before = (await getTenant(name)).status?.hibernation?.state;
      const replicas = (await deployment(name)).spec?.replicas;
      const after = (await getTenant(name)).status?.hibernation?.state;
      return before === after && replicas === (before === "Asleep" ? 0 : 1);
    });
  });
});
