// Faults, each with a fleet of 100 tenants, each ending with the same check (fleet.ts): every
// tenant Ready for its latest spec, every child present exactly once and controlled by its
// current Tenant, nothing orphaned, each tenant's data claim the one it had before, and every
// branding ConfigMap at the latest spec.
//
// The faults run one after the other on ONE fleet (building 100 tenants on this 2-core machine
// is most of the cost), on a cluster of this file's own: restarting the API server or pausing
// etcd must not disturb the test files running beside this one on the run's cluster. The
// operator reaches the API server through a TCP proxy that can freeze its connections, so a
// watch can be made to go silent without an error.
//
// Each fault strikes while the operator is busy: the first kill while the fleet is being built;
// the second kill, the API server restart and the etcd pause after a new welcome message for
// every tenant (a new generation of all 100), once the operator has made some of the writes
// that follow; the silent watch is frozen before the 100 specs change behind it.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  AppsV1Api,
  CoreV1Api,
  KubernetesObjectApi,
  PatchStrategy,
  type KubeConfig,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { namespaceFor } from "../../operator/tenant/children.js";
import { Names } from "../../operator/tenant/names.js";
import { type Cluster, startCluster } from "../cluster/cluster.js";
import { uniqueName, waitUntil } from "../cluster/testing.js";
import { startVolumeBinder, type VolumeBinder } from "../cluster/volumes.js";
import { CRD_FILE } from "../integration/tenant-validation-helpers.js";
import { startOperator, type OperatorProcess } from "../operator/operator-process.js";
import {
  createTenants,
  dataClaims,
  fleetProblems,
  isReady,
  kubectlAt,
  listTenants,
  readFleet,
  setWelcome,
} from "./fleet.js";
import { startFreezingProxy, type FreezingProxy } from "./freezing-proxy.js";

vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const TENANTS = 100;
/** How long to wait for the whole fleet to converge after a fault (bounded polling). */
const CONVERGE_MS = 240_000;
/** Writes the operator makes after a change before the fault strikes: in the middle of it. */
const WRITES_BEFORE_FAULT = 30;
const INTRUDER = "rel-intruder";
const INTRUDER_LABEL = "intruder.example/owner";

const dir = path.resolve(
  import.meta.dirname,
  "../../.local/cluster-tests",
  `rel-faults-${process.pid}`,
);
const run = uniqueName("rel-faults");
const selector = `tenant-operator.dev/fleet=${run}`;
const labels = { "tenant-operator.dev/fleet": run };
const names = Array.from({ length: TENANTS }, (_, i) => `${run}-${String(i).padStart(3, "0")}`);

let cluster: Cluster;
let kc: KubeConfig;
let binder: VolumeBinder | undefined;
let proxy: FreezingProxy | undefined;
let proxiedKubeconfig = "";
let operator: OperatorProcess | undefined;
/** The data claim of each tenant once the fleet is first built: no fault may replace one. */
let claims: Map<string, string> | undefined;

function startFleetOperator(): Promise<OperatorProcess> {
  return startOperator({
    kubeconfigPath: proxiedKubeconfig,
    tenantSelector: selector,
    args: [
      // Watches end (server side) every 5-10 s, so a healthy watch is never 15 s silent.
      "--watch-timeout=5",
      "--watch-stall=15",
      "--request-timeout=10",
      "--resync-period=0",
    ],
  });
}

/** Waits until the fleet passes the check of fleet.ts, or fails with what is still wrong. */
async function expectFleetConverged(welcome: string): Promise<void> {
  let problems: string[] = [];
  await waitUntil(
    `${TENANTS} tenants to converge on "${welcome}"`,
    async () => {
      problems = fleetProblems(await readFleet(kc, selector), { names, welcome, claims });
      if (problems.length > 0) throw new Error(problems.join("\n"));
      return true;
    },
    CONVERGE_MS,
  );
  expect(problems).toEqual([]);
}

/** Resolves once the operator has made at least `target` writes since it started. */
async function writesReach(op: OperatorProcess, target: number): Promise<void> {
  await waitUntil(`the operator to make ${target} writes`, async () => {
    return (await op.writes()) >= target;
  });
}

/** A new generation for every tenant, then waits until the operator is busy with it. */
async function changeFleetAndWaitForWork(welcome: string): Promise<void> {
  const before = await operator!.writes();
  await setWelcome(kc, names, welcome);
  await writesReach(operator!, before + WRITES_BEFORE_FAULT);
}

beforeAll(async () => {
  // A fleet of 100 tenants on kwok (README "Pod placement"); the run's cluster holds the real node.
  cluster = await startCluster({ dir, ownerPid: process.pid, realNode: false });
  kc = cluster.kubeConfig();
  const kubectl = (args: string[]) => kubectlAt(cluster.binDir, cluster.kubeconfigPath, args);
  const applied = await kubectl(["apply", "--server-side", "-f", CRD_FILE]);
  expect(applied.code, applied.stderr).toBe(0);
  const established = await kubectl([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    "crd/tenants.platform.tenancy.dev",
  ]);
  expect(established.code, established.stderr).toBe(0);
  await waitUntil(
    "tenants to be served",
    async () => (await kubectl(["get", "tenants"])).code === 0,
  );
  binder = await startVolumeBinder(kc);
  const apiPort = Number(new URL(cluster.server).port);
  proxy = await startFreezingProxy("127.0.0.1", apiPort);
  proxiedKubeconfig = path.join(dir, "kubeconfig-via-proxy");
  writeFileSync(
    proxiedKubeconfig,
    readFileSync(cluster.kubeconfigPath, "utf8").replaceAll(
      cluster.server,
      `https://${proxy.address}`,
    ),
    { mode: 0o600 },
  );
  await createTenants(kc, names, labels, "gen-1");
});

afterAll(async () => {
  await operator?.stop().catch(() => operator?.kill());
  binder?.stop();
  await proxy?.close();
  await cluster?.stop();
});

describe(`faults with ${TENANTS} tenants`, () => {
  it("kill -9 of the operator in the middle of building the fleet: the restarted operator makes every tenant Ready, nothing duplicated or orphaned", async () => {
    const first = await startFleetOperator();
    await writesReach(first, 150);
    const readyAtKill = (await listTenants(kc, selector)).filter(isReady).length;
    await first.kill();
    // The kill landed in the middle: the fleet was not built yet.
    expect(readyAtKill).toBeLessThan(TENANTS);

    operator = await startFleetOperator();
    await expectFleetConverged("gen-1");
    claims = dataClaims(await readFleet(kc, selector));
    expect(claims.size).toBe(TENANTS);
  });

  it("kill -9 of the operator in the middle of rolling a new spec out to every tenant: the restarted operator finishes it, data claims kept", async () => {
    await changeFleetAndWaitForWork("gen-2");
    await operator!.kill();
    const current = (await listTenants(kc, selector)).filter(isReady).length;
    // The kill landed in the middle: some tenants still had the old generation to finish.
    expect(current).toBeLessThan(TENANTS);
    operator = await startFleetOperator();
    await expectFleetConverged("gen-2");
  });

  it("a restart of the API server during reconciles: the operator rides it out and converges, data claims kept", async () => {
    await changeFleetAndWaitForWork("gen-3");
    await cluster.restartApiServer();
    await expectFleetConverged("gen-3");
    expect(await operator!.readyz()).toBe(200);
  });

  it("etcd paused for 20 s during reconciles: the operator waits it out and converges, data claims kept", async () => {
    await changeFleetAndWaitForWork("gen-4");
    cluster.pauseEtcd();
    try {
      await sleep(20_000);
    } finally {
      cluster.resumeEtcd();
    }
    await expectFleetConverged("gen-4");
    expect(await operator!.readyz()).toBe(200);
  });

  it("a watch that goes silent without an error: the watchdog re-lists and the operator sees changes made meanwhile", async () => {
    const stalls = (): Promise<number> =>
      operator!.metric("tenant_operator_informer_restarts_total", { cause: "stall" });
    const stallsBefore = await stalls();
    // Every connection the operator has open (its watches among them) stops forwarding.
    expect(proxy!.freeze()).toBeGreaterThan(0);
    await setWelcome(kc, names, "gen-5");
    await expectFleetConverged("gen-5");
    expect(await stalls()).toBeGreaterThan(stallsBefore);
    expect(
      await operator!.metric("tenant_operator_informer_restarts_total", {
        cause: "stall",
        resource: "tenants",
      }),
    ).toBeGreaterThan(0);
  });

  it("another field manager force-changes fields the operator owns: the operator restores its own fields and keeps the other manager's", async () => {
    const api = kc.makeApiClient(KubernetesObjectApi);
    const intrude = (obj: KubernetesObject, force = true): Promise<KubernetesObject> =>
      api.patch(obj, undefined, undefined, INTRUDER, force, PatchStrategy.ServerSideApply);
    const deploymentOf = (name: string): KubernetesObject & { spec: { replicas: number } } => ({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: Names.deployment,
        namespace: namespaceFor(name),
        labels: { [INTRUDER_LABEL]: "rel" },
      },
      spec: { replicas: 3 },
    });
    // Without force, the other manager is told the field is the operator's (a 409 conflict).
    await expect(intrude(deploymentOf(names[0]!), false)).rejects.toMatchObject({ code: 409 });

    const changes = names.flatMap((name) => [
      deploymentOf(name),
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: Names.brandingConfigMap, namespace: namespaceFor(name) },
        data: { welcomeMessage: "taken over", intruderNote: "kept" },
      },
    ]);
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < changes.length) await intrude(changes[next++]!);
      }),
    );

    await expectFleetConverged("gen-5");
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    const allDeployments = await Promise.all(
      names.map((n) =>
        apps.readNamespacedDeployment({ name: Names.deployment, namespace: namespaceFor(n) }),
      ),
    );
    expect(allDeployments.map((d) => d.spec?.replicas)).toEqual(names.map(() => 1));
    expect(allDeployments.filter((d) => d.metadata?.labels?.[INTRUDER_LABEL] !== "rel")).toEqual(
      [],
    );
    const configMaps = await Promise.all(
      names.map((n) =>
        core.readNamespacedConfigMap({
          name: Names.brandingConfigMap,
          namespace: namespaceFor(n),
        }),
      ),
    );
    expect(configMaps.map((c) => c.data?.intruderNote)).toEqual(names.map(() => "kept"));
    expect(configMaps.map((c) => c.data?.welcomeMessage)).toEqual(names.map(() => "gen-5"));
    // The operator owns replicas again; the other manager keeps its own label.
    // (spec only: the controller-manager owns status.replicas through the status subresource)
    const managers = (allDeployments[0]!.metadata?.managedFields ?? []).filter(
      (m) => !m.subresource,
    );
    const owner = (field: string): string[] =>
      managers
        .filter((m) => JSON.stringify(m.fieldsV1 ?? {}).includes(field))
        .map((m) => m.manager ?? "");
    expect(owner('"f:replicas"')).toEqual(["tenant-operator"]);
    expect(owner(`"f:${INTRUDER_LABEL}"`)).toEqual([INTRUDER]);
  });
});
