// High availability of the operator (issue 7) on the real control plane: leader election between
// replicas of the built operator on one Lease (only the leader reconciles, a standby takes over
// from a leader killed with -9, a leader that loses its Lease stops at once), and an operator
// that carries on across an API server restart without a restart of its own.
//
// The leader-election tests use the run's cluster: their Leases live in this file's namespace
// and the operators select only this file's Tenants. The API server restart uses a private
// minimal cluster (etcd + kube-apiserver): the run's cluster is shared with other files.

import fs from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import type { KubernetesObject } from "@kubernetes/client-node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Tenant } from "../../operator/api/types.js";
import { startCluster, type Cluster } from "../cluster/cluster.js";
import { kubectlAt } from "../cluster/kubectl.js";
import {
  TEST_LABEL,
  testCluster,
  testKubeConfig,
  uniqueName,
  useTestNamespace,
  waitUntil,
} from "../cluster/testing.js";
import { startVolumeBinder, type VolumeBinder } from "../cluster/volumes.js";
import {
  CRD_FILE,
  installTenantCrd,
  kubectl,
  ROOT,
} from "../integration/tenant-validation-helpers.js";
import { startOperator, type OperatorOptions, type OperatorProcess } from "./operator-process.js";
import {
  applyManifest,
  getObject,
  getTenant,
  isReady,
  kubectlOk,
  logTail,
  minimalTenant,
  tenantNamespace,
  waitForTenant,
} from "./testing.js";

const ns = useTestNamespace("ha");
const selector = (): string => `${TEST_LABEL}=${ns.name}`;
const started = new Set<OperatorProcess>();
let binder: VolumeBinder | undefined;

beforeAll(async () => {
  await installTenantCrd();
  binder = await startVolumeBinder(testKubeConfig());
});

// Every replica selects this file's Tenants: none may outlive its test.
afterEach(async () => {
  for (const op of started) await op.kill();
  started.clear();
});

afterAll(async () => {
  // The file's Tenants carry the operator's finalizer: delete them with an operator running.
  const cleaner = await startOperator({
    kubeconfigPath: testCluster().kubeconfigPath,
    tenantSelector: selector(),
  });
  await kubectl(["delete", "tenants", "-l", selector(), "--wait=true", "--timeout=60s"]);
  await cleaner.stop();
  binder?.stop();
});

interface Replica {
  identity: string;
  op: OperatorProcess;
}

/** Starts a replica of the operator campaigning on `lease` (in this file's namespace). */
async function replica(
  lease: string,
  name: string,
  durationSeconds = 6,
  extra: Partial<OperatorOptions> = {},
): Promise<Replica> {
  const identity = `${name}-${randomBytes(3).toString("hex")}`;
  const op = await startOperator({
    kubeconfigPath: testCluster().kubeconfigPath,
    tenantSelector: selector(),
    lease: { name: lease, namespace: ns.name, identity, durationSeconds },
    ...extra,
  });
  started.add(op);
  return { identity, op };
}

interface LeaseSpec {
  holderIdentity?: string | null;
  leaseTransitions?: number;
}

async function leaseSpec(name: string): Promise<LeaseSpec> {
  const lease = await getObject<KubernetesObject & { spec?: LeaseSpec }>("lease", name, ns.name);
  return lease?.spec ?? {};
}

/** `leader_election_master_status` of a replica for `lease` (0 while standby, or dead). */
async function leads(r: Replica, lease: string): Promise<number> {
  return r.op.metric("leader_election_master_status", { name: lease }).catch(() => 0);
}

/** A MicroTime (6 fractional digits), as a Lease's times are written. */
function microNow(): string {
  return new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** A Lease spec held by someone else for an hour, as another operator installation would hold it. */
function heldByIntruder(): {
  holderIdentity: string;
  leaseDurationSeconds: number;
  renewTime: string;
} {
  return { holderIdentity: "intruder", leaseDurationSeconds: 3600, renewTime: microNow() };
}

/** Merge-patches the Lease's spec (in the file's namespace). */
async function patchLease(name: string, spec: Record<string, unknown>): Promise<void> {
  await kubectlOk([
    "patch",
    "lease",
    name,
    "-n",
    ns.name,
    "--type=merge",
    "-p",
    JSON.stringify({ spec }),
  ]);
}

async function newTenant(prefix: string): Promise<Tenant> {
  const tenant = minimalTenant(prefix, ns.labels);
  await applyManifest(tenant);
  return tenant;
}

/** Waits for one of two replicas to lead and the Lease to name it; resolves [leader, standby]. */
async function electedPair(lease: string, a: Replica, b: Replica): Promise<[Replica, Replica]> {
  await waitUntil("one replica to hold the Lease", async () => {
    const holder = (await leaseSpec(lease)).holderIdentity;
    const holderReplica = [a, b].find((r) => r.identity === holder);
    return holderReplica !== undefined && (await leads(holderReplica, lease)) === 1;
  });
  const holder = (await leaseSpec(lease)).holderIdentity;
  return holder === a.identity ? [a, b] : [b, a];
}

describe("leader election between two replicas on one Lease", () => {
  it("makes exactly one replica the leader, named by the Lease, and only the leader writes while a Tenant becomes Ready", async () => {
    const lease = uniqueName("ha-lease");
    const [leader, standby] = await electedPair(
      lease,
      await replica(lease, "a"),
      await replica(lease, "b"),
    );
    expect(await leads(leader, lease)).toBe(1);
    expect(await leads(standby, lease)).toBe(0);
    expect((await leaseSpec(lease)).holderIdentity).toBe(leader.identity);

    const standbyWrites = await standby.op.writes();
    const tenant = await newTenant("ha-one");
    await waitForTenant(tenant.metadata.name!, isReady, "Ready");
    // A standby keeps warm caches and reads the Lease, but writes nothing.
    expect(await standby.op.writes(), logTail(standby.op)).toBe(standbyWrites);
    expect(await leads(standby, lease)).toBe(0);
  });

  it("hands the Lease to the standby when the leader is killed with -9, and the standby reconciles a Tenant created afterwards", async () => {
    const lease = uniqueName("ha-lease");
    const [leader, standby] = await electedPair(
      lease,
      await replica(lease, "a"),
      await replica(lease, "b"),
    );
    const transitions = (await leaseSpec(lease)).leaseTransitions ?? 0;
    await leader.op.kill();

    const tenant = await newTenant("ha-failover");
    // The killed leader released nothing: the standby waits for the Lease to expire (6 s).
    await waitUntil("the standby to take the Lease over", async () => {
      return (
        (await leaseSpec(lease)).holderIdentity === standby.identity &&
        (await leads(standby, lease)) === 1
      );
    });
    expect((await leaseSpec(lease)).leaseTransitions).toBe(transitions + 1);
    const ready = await waitForTenant(tenant.metadata.name!, isReady, "Ready");
    expect(ready.status?.namespace).toBe(tenantNamespace(tenant.metadata.name!));
  });

  it("stops a leader whose Lease another holder took over at once, not after its renew deadline, and it exits non-zero", async () => {
    // A long Lease (60 s, renew deadline 39 s) separates "at once" from "at the deadline".
    const lease = uniqueName("ha-lease");
    const leader = await replica(lease, "a", 60);
    await waitUntil("the replica to lead", async () => (await leads(leader, lease)) === 1);
    const before = await newTenant("ha-before");
    await waitUntil(`namespace of ${before.metadata.name}`, async () =>
      Boolean(await getObject("namespace", tenantNamespace(before.metadata.name!))),
    );

    await patchLease(lease, heldByIntruder());
    let timer: NodeJS.Timeout | undefined;
    const code = await Promise.race([
      leader.op.exited,
      new Promise<"still running">((r) => (timer = setTimeout(() => r("still running"), 20_000))),
    ]);
    clearTimeout(timer);
    expect(code, logTail(leader.op)).toBe(1);
    expect(leader.op.output()).toContain("lost the leader lease");
    // It left the Lease to its new holder (no release, no write-back).
    expect((await leaseSpec(lease)).holderIdentity).toBe("intruder");
  });

  it("keeps a standby from reconciling while another holder's Lease is valid, and lets it take over once the Lease is released", async () => {
    const lease = uniqueName("ha-lease");
    const takeover = heldByIntruder();
    const held = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      metadata: { name: lease, namespace: ns.name },
      spec: { ...takeover, acquireTime: takeover.renewTime },
    };
    await applyManifest(held);
    const standby = await replica(lease, "b");
    const tenant = await newTenant("ha-waiting");
    // Synced caches hold the Tenant; several retry periods pass with the Lease held by another.
    await waitUntil(
      "the standby's caches to sync",
      async () => (await standby.op.readyz()) === 200,
    );
    const gets = async (): Promise<number> =>
      standby.op.metric("rest_client_requests_total", { method: "GET" });
    const seen = await gets();
    await waitUntil("the standby to read the Lease again", async () => (await gets()) >= seen + 3);
    expect(await leads(standby, lease)).toBe(0);
    expect((await getTenant(tenant.metadata.name!)).status, logTail(standby.op)).toBeUndefined();
    expect(await getObject("namespace", tenantNamespace(tenant.metadata.name!))).toBeUndefined();

    await patchLease(lease, { holderIdentity: null });
    await waitUntil("the standby to lead", async () => (await leads(standby, lease)) === 1);
    await waitForTenant(tenant.metadata.name!, isReady, "Ready");
  });
});

describe("an API server restart", () => {
  let cluster: Cluster | undefined;
  let op: OperatorProcess | undefined;
  let operatorExited = false;
  const dir = path.join(
    ROOT,
    ".local",
    "cluster-tests",
    `ha-apiserver-${randomBytes(4).toString("hex")}`,
  );

  /** kubectl against the private cluster. */
  async function privateKubectl(args: string[], input?: string): Promise<string> {
    const run = await kubectlAt(testCluster().binDir, cluster!.kubeconfigPath, args, input, 60_000);
    if (run.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${run.stderr}`);
    return run.stdout;
  }

  /** Whether the private cluster holds the tenant's Namespace, Deployment and Service. */
  async function childrenExist(name: string): Promise<boolean> {
    const namespace = tenantNamespace(name);
    return privateKubectl(["get", "namespace", namespace])
      .then(() => privateKubectl(["get", "deployment,service", "-n", namespace, "-o", "name"]))
      .then(
        (out) => out.includes("deployment.apps/") && out.includes("service/"),
        () => false,
      );
  }

  beforeAll(async () => {
    cluster = await startCluster({ dir, minimal: true, ownerPid: process.pid });
    await privateKubectl(["apply", "--server-side", "-f", CRD_FILE]);
    await privateKubectl(["wait", "--for=condition=Established", "--timeout=60s", "-f", CRD_FILE]);
    op = await startOperator({
      kubeconfigPath: cluster.kubeconfigPath,
      tenantSelector: selector(),
    });
    void op.exited.then(() => (operatorExited = true));
  });

  afterAll(async () => {
    await op?.kill();
    await cluster?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("leaves the operator running, and it reconciles a Tenant created after the restart", async () => {
    const first = minimalTenant("ha-pre", ns.labels);
    await privateKubectl(["apply", "-f", "-"], JSON.stringify(first));
    await waitUntil("children of the first Tenant", () => childrenExist(first.metadata.name!));

    await cluster!.restartApiServer();
    const after = minimalTenant("ha-post", ns.labels);
    await waitUntil("the restarted API server to accept the Tenant", async () => {
      await privateKubectl(["apply", "-f", "-"], JSON.stringify(after));
      return true;
    });
    await waitUntil(
      "children of the Tenant created after the restart",
      () => childrenExist(after.metadata.name!),
      120_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${logTail(op!)}`);
    });
    // Its status too: observed (no controller-manager here, so the Deployment is never Available).
    await waitUntil("the status of the Tenant created after the restart", async () => {
      const t = JSON.parse(
        await privateKubectl(["get", "tenant", after.metadata.name!, "-o", "json"]),
      ) as Tenant;
      return t.status?.observedGeneration === t.metadata.generation;
    });
    expect(operatorExited, "the operator is still the same process").toBe(false);
    expect(await op!.readyz()).toBe(200);
  });
});
