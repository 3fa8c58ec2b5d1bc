// Acceptance of issue 6 on the real local control plane, at fleet scale: with 20 Ready tenants a
// full resync writes nothing (by the operator's own API-call metric and by the API server's audit
// log), and a restarted operator takes them over without recreating or changing anything.
import { CustomObjectsApi } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import type { Tenant } from "../../operator/api/types.js";
import { testCluster, testKubeConfig, useTestNamespace, waitUntil } from "../cluster/testing.js";
import { auditMarker, describeAudit, operatorWritesOn, readAudit } from "./audit.js";
import {
  applyManifest,
  childVersions,
  isReady,
  logTail,
  minimalTenant,
  resyncAndWait,
  useOperatorEnv,
  waitForIdleQueue,
} from "./testing.js";

const FLEET = 20;
const env = useOperatorEnv("fleet");
const markers = useTestNamespace("fleet-audit");
const fleet = Array.from({ length: FLEET }, () => minimalTenant("fleet", env.labels));
const names = fleet.map((t) => t.metadata.name!);

/** The file's Tenants, in one list call. */
async function listFleet(): Promise<Tenant[]> {
  const list = (await testKubeConfig()
    .makeApiClient(CustomObjectsApi)
    .listClusterCustomObject({
      group: "platform.tenancy.dev",
      version: "v1alpha1",
      plural: "tenants",
      labelSelector: Object.entries(env.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(","),
    })) as { items: Tenant[] };
  return list.items;
}

async function waitForFleetReady(): Promise<Tenant[]> {
  let items: Tenant[] = [];
  await waitUntil(
    `${FLEET} Tenants Ready`,
    async () => {
      items = await listFleet();
      return items.length === FLEET && items.every(isReady);
    },
    240_000,
  ).catch((err: Error) => {
    const notReady = items.filter((t) => !isReady(t)).map((t) => t.metadata.name);
    throw new Error(`${err.message}; not Ready: ${notReady.join(", ")}\n${logTail(env.op)}`);
  });
  return items;
}

function auditLog(): string {
  const file = testCluster().auditLogPath;
  if (!file) throw new Error("the run's cluster has no audit log (a foreign KUBECONFIG?)");
  return file;
}

describe(`a fleet of ${FLEET} tenants`, () => {
  let created: Date;

  it(`brings ${FLEET} Tenants created at once to Ready`, async () => {
    env.track(...names);
    created = new Date();
    await applyManifest(fleet);
    await waitForFleetReady();
    await waitForIdleQueue(env.op);
  }, 300_000);

  it("makes no write on a full resync, by the operator's API-call metric and by the audit log", async () => {
    // Precondition: the audit filter below does see this operator's writes on these tenants.
    const creation = operatorWritesOn(readAudit(auditLog()), names, {
      from: created,
      to: new Date().toISOString(),
    });
    const namespaces = creation.filter((e) => e.objectRef?.resource === "namespaces");
    expect(new Set(namespaces.map((e) => e.objectRef?.name)).size).toBe(FLEET);

    const from = new Date();
    const writesBefore = await env.op.writes();
    const reconciles = await resyncAndWait(env.op, FLEET);
    expect(reconciles).toBeGreaterThanOrEqual(FLEET);
    expect(await env.op.writes()).toBe(writesBefore);

    const to = await auditMarker(auditLog(), markers.name);
    const writes = operatorWritesOn(readAudit(auditLog()), names, { from, to });
    expect(writes, describeAudit(writes)).toEqual([]);
    expect((await listFleet()).every(isReady)).toBe(true);
  });

  it("is taken over by a restarted operator with nothing recreated or changed and no write", async () => {
    const tenantsBefore = new Map((await listFleet()).map((t) => [t.metadata.name, t]));
    const childrenBefore = await childVersions(names);
    // Namespace, ServiceAccount, ConfigMap, PVC, NetworkPolicy, 2 Services (tenant, tenant-grpc),
    // Deployment, 2 Ingresses, DNSEndpoint: 11 per tenant.
    expect(childrenBefore.size).toBe(FLEET * 11);

    const from = new Date();
    const op = await env.restart();
    await waitUntil("the new operator to be ready", async () => (await op.readyz()) === 200);
    await waitUntil(
      `the new operator to reconcile ${FLEET} tenants`,
      async () => (await op.metric("controller_runtime_reconcile_total")) >= FLEET,
      120_000,
    );
    await waitForIdleQueue(op);
    expect(await op.writes(), logTail(op)).toBe(0);

    const tenantsAfter = await listFleet();
    for (const t of tenantsAfter) {
      expect(isReady(t), t.metadata.name).toBe(true);
      expect(t.metadata.resourceVersion, t.metadata.name).toBe(
        tenantsBefore.get(t.metadata.name)?.metadata.resourceVersion,
      );
    }
    expect(await childVersions(names)).toEqual(childrenBefore);

    const to = await auditMarker(auditLog(), markers.name);
    const writes = operatorWritesOn(readAudit(auditLog()), names, { from, to });
    expect(writes, describeAudit(writes)).toEqual([]);
  }, 180_000);
});
