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
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GROUP, PLURAL, VERSION, type Tenant } from "../../operator/api/types.js";
import { namespaceFor } from "../../operator/tenant/children.js";
import { Names } from "../../operator/tenant/names.js";
import { findOne, renderChart, type Manifest } from "../chart/helm.js";
import { testCluster, uniqueName, useTestNamespace, waitUntil } from "../cluster/testing.js";
import { startVolumeBinder, type VolumeBinder } from "../cluster/volumes.js";
import { installTenantCrd, kubectl } from "../integration/tenant-validation-helpers.js";
import { getTenant } from "../operator/testing.js";
import { startOperator, sumMetric, type OperatorProcess } from "../operator/operator-process.js";
import { isReady } from "./fleet.js";

vi.setConfig({ testTimeout: 180_000 });

const ns = useTestNamespace("rbac");
/** Recognisable, and nowhere but in the Secret. */
const PASSWORD = "Rel-Pa55w0rd-7f3c9e1d";
const DATABASE_URI = `postgres://tenant_app:${PASSWORD}@db.example.com:5432/tenant_app?sslmode=require`;
const RBAC_KINDS = new Set([
  "ServiceAccount",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
]);

let kc: KubeConfig;
let release = "";
let rbac: Manifest[] = [];
let operator: OperatorProcess;
let binder: VolumeBinder;
const selector = (): string => `${Object.keys(ns.labels)[0]}=${ns.name}`;

/** A kubeconfig for the run's API server that holds nothing but `token` and the CA. */
function tokenKubeconfig(token: string): string {
  const admin = new KubeConfig();
  admin.loadFromFile(testCluster().kubeconfigPath);
  const cluster = admin.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "local", server: cluster.server, caData: cluster.caData }],
    users: [{ name: "operator", token }],
    contexts: [{ name: "operator", cluster: "local", user: "operator" }],
    currentContext: "operator",
  });
  const dir = mkdtempSync(path.join(tmpdir(), "rel-rbac-"));
  const file = path.join(dir, "kubeconfig");
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

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
  // A release of this file's own: ClusterRole names derive from it, so files never collide.
  release = uniqueName("rel");
  const manifests = renderChart({ releaseName: release, namespace: ns.name });
  rbac = manifests.filter((m) => RBAC_KINDS.has(m.kind));
  const applied = await kubectl(
    ["apply", "--server-side", "-f", "-"],
    rbac.map((m) => yaml.dump(m)).join("---\n"),
  );
  expect(applied.code, applied.stderr).toBe(0);
  const sa = findOne(manifests, "ServiceAccount").metadata.name;
  const token = await kubectl(["create", "token", sa, "-n", ns.name, "--duration=1h"]);
  expect(token.code, token.stderr).toBe(0);
  const role = findOne(manifests, "Role") as unknown as {
    rules: { resourceNames?: string[] }[];
  };
  const leaseName = role.rules.flatMap((r) => r.resourceNames ?? [])[0]!;
  operator = await startOperator({
    kubeconfigPath: tokenKubeconfig(token.stdout.trim()),
    tenantSelector: selector(),
    lease: { name: leaseName, namespace: ns.name, identity: "rel-rbac-0" },
  });
});

afterAll(async () => {
  await kubectl(["delete", "tenants", "-l", selector(), "--wait=false"]);
  await waitUntil(
    "this file's tenants to be gone",
    async () => (await kubectl(["get", "tenants", "-l", selector(), "-o", "name"])).stdout === "",
    60_000,
  ).catch(() => {});
  await operator?.stop();
  binder?.stop();
  const cluster = rbac.filter((m) => m.kind.startsWith("Cluster"));
  for (const m of cluster) await kubectl(["delete", m.kind, m.metadata.name, "--ignore-not-found"]);
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
