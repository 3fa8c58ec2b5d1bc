// The operator with exactly the rights the Helm chart grants, and no secret anywhere it writes.
//
// The chart's ServiceAccount, ClusterRole, Role and bindings are rendered by Helm and applied;
// a token for that ServiceAccount comes from the TokenRequest API (`kubectl create token`); the
// real operator runs with a kubeconfig holding only that token and the cluster's CA. Tenants
// becoming Ready with it, without a single 403, prove the chart grants all the operator needs
// (test/chart/chart.cluster.test.ts proves it grants nothing more).
//
// One of those tenants uses an external database whose Secret holds a recognisable password:
// it must appear in none of the operator's logs, the Events of the tenant namespace, the
// Tenant's status, or the Deployment (which only references the Secret).
import { CoreV1Api, CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GROUP, PLURAL, VERSION, type Tenant } from "../../operator/api/types.js";
import { namespaceFor } from "../../operator/tenant/children.js";
import { Names } from "../../operator/tenant/names.js";
import { uniqueName, useTestNamespace, waitUntil } from "../cluster/testing.js";
import { startVolumeBinder, type VolumeBinder } from "../cluster/volumes.js";
import { installTenantCrd, kubectl } from "../integration/tenant-validation-helpers.js";
import { deleteTenantsAndWait, getTenant } from "../operator/testing.js";
import {
  startOperatorWithChartRbac,
  type ChartRbacOperator,
} from "../operator/chart-rbac-operator.js";
import { sumMetric, type OperatorProcess } from "../operator/operator-process.js";
import { isReady } from "./fleet.js";

vi.setConfig({ testTimeout: 180_000 });

const ns = useTestNamespace("rbac");
/** Recognisable, and nowhere but in the Secret. */
const PASSWORD = "Rel-Pa55w0rd-7f3c9e1d";
const DATABASE_URI = `postgres://tenant_app:${PASSWORD}@db.example.com:5432/tenant_app?sslmode=require`;
let kc: KubeConfig;
let env: ChartRbacOperator;
let operator: OperatorProcess;
let binder: VolumeBinder;
const selector = (): string => `${Object.keys(ns.labels)[0]}=${ns.name}`;

async function createTenant(name: string, spec: Record<string, unknown>): Promise<void> {
  await kc.makeApiClient(CustomObjectsApi).createClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    body: {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: "Tenant",
      metadata: { name, labels: ns.labels },
      spec: { displayName: `RBAC ${name}`, host: `${name}.example.com`, ...spec },
    },
  });
}

const readTenant = (name: string): Promise<Tenant> => getTenant(name, kc);

beforeAll(async () => {
  kc = ns.kc;
  await installTenantCrd();
  binder = await startVolumeBinder(kc);
  env = await startOperatorWithChartRbac(ns.name, selector());
  operator = env.operator;
});

afterAll(async () => {
  await deleteTenantsAndWait(selector());
  await operator?.stop();
  binder?.stop();
  await env?.cleanUp();
});

describe("the operator with the chart's RBAC only", () => {
  let external = "";

  it("makes an embedded and an external tenant Ready with a ServiceAccount token of the chart's RBAC, without one forbidden request", async () => {
    const embedded = uniqueName("rbac-embedded");
    external = uniqueName("rbac-external");
    await createTenant(embedded, {});
    await createTenant(external, { database: { mode: "external", secretRef: { name: "db" } } });
    // The external tenant waits for its Secret, saying so (the operator may read, never list).
    await waitUntil(`${external} to wait for its database Secret`, async () => {
      const t = await readTenant(external);
      return t.status?.conditions?.some((c) => c.reason === "DatabaseSecretMissing") === true;
    });
    await kc.makeApiClient(CoreV1Api).createNamespacedSecret({
      namespace: namespaceFor(external),
      body: { metadata: { name: "db" }, stringData: { uri: DATABASE_URI } },
    });
    for (const name of [embedded, external]) {
      await waitUntil(`${name} Ready`, async () => isReady(await readTenant(name)), 120_000);
    }
    const metrics = await operator.metrics();
    expect(sumMetric(metrics, "rest_client_requests_total", { code: "403" })).toBe(0);
    expect(sumMetric(metrics, "leader_election_master_status")).toBe(1);
    expect(operator.output()).not.toMatch(/forbidden/i);
  });

  it("never writes the database password to its logs, Events, the Tenant's status or the Deployment", async () => {
    expect(external).not.toBe("");
    // A change makes the operator reconcile (and log) once more with the Secret in place.
    await kc.makeApiClient(CustomObjectsApi).patchClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      name: external,
      body: [{ op: "add", path: "/spec/branding", value: { welcomeMessage: "again" } }],
    });
    await waitUntil(`${external} Ready again`, async () => isReady(await readTenant(external)));
    const events = await kubectl(["get", "events", "-n", namespaceFor(external), "-o", "json"]);
    expect(events.code, events.stderr).toBe(0);
    const newEvents = await kubectl([
      "get",
      "events.events.k8s.io",
      "-n",
      namespaceFor(external),
      "-o",
      "json",
    ]);
    expect(newEvents.code, newEvents.stderr).toBe(0);
    const tenant = JSON.stringify(await readTenant(external));
    const deployment = await kubectl([
      "get",
      "deployment",
      Names.deployment,
      "-n",
      namespaceFor(external),
      "-o",
      "json",
    ]);
    expect(deployment.code, deployment.stderr).toBe(0);
    // The Events exist (so the check looks at something), and none carries the secret.
    expect(JSON.parse(newEvents.stdout).items.length).toBeGreaterThan(0);
    const places = {
      "operator log": operator.output(),
      "core Events": events.stdout,
      "events.k8s.io Events": newEvents.stdout,
      Tenant: tenant,
      Deployment: deployment.stdout,
    };
    for (const [where, text] of Object.entries(places)) {
      expect(text.includes(PASSWORD), `the password appears in the ${where}`).toBe(false);
      expect(text.includes(Buffer.from(DATABASE_URI).toString("base64")), where).toBe(false);
    }
    expect(deployment.stdout).toContain('"secretKeyRef"');
  });
});
