// The real node (test/cluster/node.ts) runs tenants: a Tenant with the default spec, reconciled
// by an operator with the default placement, gets a pod from the image built from our
// Dockerfile, with exactly what the operator renders, Running and Ready on the kubelet of the
// real node; it answers from the host at its pod IP and through its Service's ClusterIP
// (kube-proxy); its data volume comes from our provisioner and outlives the pod and the
// operator, and goes or stays as the Tenant's deletionPolicy says. Under bench:footprint's load
// its container's cgroup holds issue 13's memory goals, on the embedded store and on an external
// PostgreSQL, with no OOM kill.
import fs from "node:fs";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { AppsV1Api, CoreV1Api, CustomObjectsApi, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOADER_OPTIONS, PROTO_DIR } from "../../service/server/protos.js";
import { POD_SUBNET, REAL_NODE_NAME, nodeFiles } from "../cluster/node-config.js";
import { PROVISIONER_NAME } from "../cluster/provisioner.js";
import { get as httpGet, isNodeReady } from "../cluster/readiness.js";
import { harnessCluster, testKubeConfig, waitUntil } from "../cluster/testing.js";
import { describeServicePath } from "./service-path.js";
import { FOOTPRINT_GOALS, FOOTPRINT_LOAD } from "../../bench/footprint/goals.js";
import { createUsers, mixedLoad } from "../../bench/footprint/load.js";
import { median } from "../../bench/footprint/rss.js";
import { rpcClient } from "../postgres/grpc-clients.js";
import { type PostgresServer, startPostgres } from "../postgres/server.js";
import {
  applyManifest,
  getTenant,
  isReady,
  minimalTenant,
  tenantNamespace,
  useOperatorEnv,
  waitForTenant,
} from "../operator/testing.js";

const env = useOperatorEnv("real-node", [], { realNode: true });
const kc = testKubeConfig();
const core = kc.makeApiClient(CoreV1Api);
const apps = kc.makeApiClient(AppsV1Api);

beforeAll(() => {
  if (!harnessCluster().hasRealNode) {
    throw new Error(
      "this run's cluster has no real node (another cluster on this machine runs it, or " +
        "TENANT_OPERATOR_REAL_NODE=0): see the global setup's log",
    );
  }
});

async function tenantPods(name: string): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({ namespace: tenantNamespace(name) });
  return list.items.filter((p) => !p.metadata?.deletionTimestamp);
}

/** The single Running and Ready pod of a tenant, once there is one. */
async function readyPod(name: string, timeoutMs = 120_000): Promise<V1Pod> {
  let pod: V1Pod | undefined;
  await waitUntil(
    `a Ready pod of ${name}`,
    async () => {
      const pods = await tenantPods(name);
      pod = pods.find(
        (p) =>
          p.status?.phase === "Running" &&
          (p.status.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
      );
      return pods.length === 1 && pod !== undefined;
    },
    timeoutMs,
  );
  return pod!;
}

/** "<status> <body>" of a GET on a connection of its own (readiness.ts says why). */
async function get(url: string): Promise<string> {
  const res = await httpGet(url, {}, 10_000);
  return `${res.status} ${res.body}`;
}

async function serviceAddress(name: string): Promise<{ ip: string; http: number; grpc: number }> {
  const list = await core.listNamespacedService({ namespace: tenantNamespace(name) });
  const svc = list.items.find((s) => s.metadata?.name === "tenant")!;
  const port = (n: string): number => svc.spec!.ports!.find((p) => p.name === n)!.port;
  return { ip: svc.spec!.clusterIP!, http: port("http"), grpc: port("grpc") };
}

/**
 * kube-proxy programs a Service's endpoints a moment after its pod turns Ready (under a busy
 * test run, seconds): until then the ClusterIP refuses, or is routed like any address (and
 * some machines' networks answer that). Waits until it answers /healthz with 200, each try on a
 * new connection; on a timeout the error says what the pods, EndpointSlices and kube-proxy's
 * rules looked like.
 */
async function serviceAnswering(name: string): Promise<void> {
  const svc = await serviceAddress(name);
  const url = `http://${svc.ip}:${svc.http}/healthz`;
  try {
    await waitUntil(
      `the Service of ${name} to answer at ${url}`,
      async () => {
        const answer = await get(url);
        if (!answer.startsWith("200")) throw new Error(`answered ${answer.slice(0, 200)}`);
        return true;
      },
      120_000,
    );
  } catch (err) {
    const path = await describeServicePath(kc, tenantNamespace(name), harnessCluster().dir);
    throw new Error(`${(err as Error).message}\n${path}`, { cause: err });
  }
}

function calcAdd(address: string, a: number, b: number): Promise<{ sum: string }> {
  const def = protoLoader.loadSync("calc.proto", { ...LOADER_OPTIONS, includeDirs: [PROTO_DIR] });
  const Calc = (grpc.loadPackageDefinition(def).calc as grpc.GrpcObject)
    .Calc as grpc.ServiceClientConstructor;
  const client = new Calc(address, grpc.credentials.createInsecure());
  return new Promise((resolve, reject) => {
    client.Add!({ a, b }, { deadline: Date.now() + 10_000 }, (err: unknown, res: unknown) => {
      client.close();
      if (err) reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
      else resolve(res as { sum: string });
    });
  });
}

/**
 * Memory figures of a pod's container from its v1 memory cgroup (cgroupfs driver). The working
 * set is what the kubelet evicts on and `kubectl top` shows (usage less inactive file pages);
 * the peak (max_usage_in_bytes) also counts the page cache charged to the container (the files
 * it wrote), so it can sit above the working set.
 */
function containerMemory(pod: V1Pod): { workingSet: number; maxUsage: number; oomKills: number } {
  const id = pod.status!.containerStatuses![0]!.containerID!.replace(/^containerd:\/\//, "");
  const qos = pod.status!.qosClass!.toLowerCase();
  const podDir = `pod${pod.metadata!.uid}`;
  const base = "/sys/fs/cgroup/memory/kubepods";
  const dir = [`${base}/${podDir}/${id}`, `${base}/${qos}/${podDir}/${id}`].find((d) =>
    fs.existsSync(d),
  );
  if (!dir) throw new Error(`no memory cgroup for container ${id} under ${base}`);
  const read = (f: string): string => fs.readFileSync(`${dir}/${f}`, "utf8");
  const inactiveFile = /^total_inactive_file (\d+)$/m.exec(read("memory.stat"));
  const oom = /^oom_kill (\d+)$/m.exec(read("memory.oom_control"));
  return {
    workingSet: Number(read("memory.usage_in_bytes")) - Number(inactiveFile?.[1] ?? NaN),
    maxUsage: Number(read("memory.max_usage_in_bytes")),
    oomKills: oom ? Number(oom[1]) : 0,
  };
}

/**
 * bench:footprint's load (users created, then mixed calls) against a tenant's Service while its
 * container's working set is sampled each second; checks that the pod lived through it (same
 * pod, no restart, no OOM kill) and returns the steady working set (the median over the second
 * half of the traffic, as the bench reads RSS) and the cgroup's peak usage, in MiB.
 */
async function footprintInCgroup(
  name: string,
  pod: V1Pod,
): Promise<{ steadyMib: number; peakMib: number }> {
  const svc = await serviceAddress(name);
  const target = {
    grpcAddress: `${svc.ip}:${svc.grpc}`,
    httpBase: `http://${svc.ip}:${svc.http}`,
  };
  await createUsers(target, FOOTPRINT_LOAD.users);
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(containerMemory(pod).workingSet), 1_000);
  let calls: number;
  try {
    calls = await mixedLoad(target, FOOTPRINT_LOAD.users, FOOTPRINT_LOAD.loadSeconds);
  } finally {
    clearInterval(sampler);
  }
  const [now] = await tenantPods(name);
  expect(now!.metadata!.uid).toBe(pod.metadata!.uid);
  const status = now!.status!.containerStatuses![0]!;
  expect(status.restartCount).toBe(0);
  expect(status.lastState?.terminated?.reason).toBeUndefined();
  const memory = containerMemory(now!);
  expect(memory.oomKills).toBe(0);
  const steadyMib = median(samples.slice(Math.floor(samples.length / 2))) / 2 ** 20;
  const peakMib = memory.maxUsage / 2 ** 20;
  console.log(
    `[real-node] ${name}: ${calls} calls; working set steady ${steadyMib.toFixed(1)} MiB, ` +
      `peak usage ${peakMib.toFixed(1)} MiB, limit ${now!.spec!.containers[0]!.resources?.limits?.memory}`,
  );
  // A reading of the wrong cgroup (or of none) would be far below a Node.js process's size.
  expect(steadyMib).toBeGreaterThan(16);
  return { steadyMib, peakMib };
}

describe("the real node", () => {
  it("is a Ready node of the cluster running containerd, beside the tainted kwok nodes", async () => {
    const nodes = (await core.listNode()).items;
    const real = nodes.find((n) => n.metadata?.name === REAL_NODE_NAME);
    expect(real && isNodeReady(real)).toBe(true);
    expect(real!.status!.nodeInfo!.containerRuntimeVersion).toMatch(/^containerd:\/\/1\./);
    expect(real!.status!.nodeInfo!.kubeletVersion).toMatch(/^v1\.\d+\.\d+$/);
    expect(real!.spec?.taints ?? []).toEqual([]);
    const kwok = nodes.filter((n) => n.metadata?.labels?.type === "kwok");
    expect(kwok.length).toBeGreaterThan(0);
    for (const n of kwok) expect(n.spec?.taints?.map((t) => t.key)).toContain("kwok.x-k8s.io/node");
  });
});

describe("a default Tenant on the real node", () => {
  const tenant = minimalTenant("real", {});
  const name = tenant.metadata.name!;
  let pod: V1Pod;

  beforeAll(async () => {
    tenant.metadata.labels = env.labels;
    env.track(name);
    await applyManifest(tenant);
    await waitForTenant(name, isReady, "Ready", 180_000);
    pod = await readyPod(name);
    await serviceAnswering(name);
  }, 300_000);

  it("runs its pod on the real node with exactly the container the operator renders", async () => {
    expect(pod.spec?.nodeName).toBe(REAL_NODE_NAME);
    const deployment = (await apps.listNamespacedDeployment({ namespace: tenantNamespace(name) }))
      .items[0]!;
    const rendered = deployment.spec!.template.spec!.containers[0]!;
    const running = pod.spec!.containers[0]!;
    expect(running.image).toBe(rendered.image);
    expect(running.securityContext).toEqual(rendered.securityContext);
    expect(running.securityContext?.readOnlyRootFilesystem).toBe(true);
    expect(running.resources).toEqual(rendered.resources);
    expect(running.livenessProbe).toEqual(rendered.livenessProbe);
    expect(running.readinessProbe).toEqual(rendered.readinessProbe);
    // The Deployment's Available condition is the real kubelet's report, not kwok's.
    const available = deployment.status?.conditions?.find((c) => c.type === "Available");
    expect(available?.status).toBe("True");
    expect(pod.status?.containerStatuses?.[0]?.ready).toBe(true);
    // A locally imported image has no registry digest: imageID is its sha256, image its name.
    expect(pod.status?.containerStatuses?.[0]?.image).toMatch(/^(docker\.io\/library\/)?tenant-/);
    expect(pod.status?.containerStatuses?.[0]?.imageID).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("answers fibonacci(10) from the host at its pod IP and through its Service's ClusterIP, and calc.Calc/Add through the Service", async () => {
    expect(pod.status?.podIP).toMatch(/^10\.89\.0\./);
    const svc = await serviceAddress(name);
    // At the pod IP the container's own port; through the Service its port (kube-proxy maps it).
    const containerPort = pod.spec!.containers[0]!.ports!.find((p) => p.name === "http")!;
    expect(
      await get(`http://${pod.status!.podIP}:${containerPort.containerPort}/fibonacci/10/`),
    ).toBe('200 {"response":"55"}');
    expect(await get(`http://${svc.ip}:${svc.http}/fibonacci/10/`)).toBe('200 {"response":"55"}');
    expect(await calcAdd(`${svc.ip}:${svc.grpc}`, 20, 22)).toEqual({ sum: "42" });
  });

  it("holds issue 13's memory goals through the footprint bench's load (10,000 users, then a minute of mixed calls), read from its container's cgroup, never OOM-killed", async () => {
    const { steadyMib, peakMib } = await footprintInCgroup(name, pod);
    expect(steadyMib).toBeLessThanOrEqual(FOOTPRINT_GOALS.embedded.steady);
    expect(peakMib).toBeLessThanOrEqual(FOOTPRINT_GOALS.embedded.peak);
  }, 300_000);

  it("keeps its users and counter when its pod is deleted and replaced, and when the operator restarts", async () => {
    const svc = await serviceAddress(name);
    const users = rpcClient(`${svc.ip}:${svc.grpc}`, "user.proto");
    const email = `${name}@example.com`;
    const created = await users.call("Create", {
      user: { name: { first: "Ada", last: "Lovelace" }, email, age: 36 },
    });
    expect(JSON.stringify(created)).toContain('"SUCCESS"');
    const before = Number((await get(`http://${svc.ip}:${svc.http}/getCounter`)).split(" ")[1]);
    users.close();

    await core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: tenantNamespace(name) });
    const replaced = await readyPod(name);
    expect(replaced.metadata!.name).not.toBe(pod.metadata!.name);
    expect(replaced.spec?.nodeName).toBe(REAL_NODE_NAME);
    // The replacement starts while the deleted pod still shuts down and holds the data
    // directory's lock: it waits for the lock (DATA_DIR_LOCK_WAIT_MS) instead of crashing.
    expect(replaced.status!.containerStatuses![0]!.restartCount).toBe(0);
    await env.restart();
    await waitForTenant(name, isReady, "Ready after the operator restart");

    const again = rpcClient(`${svc.ip}:${svc.grpc}`, "user.proto");
    await waitUntil("the Service to answer from the new pod", async () => {
      await again.call("GetByEmail", { email });
      return true;
    });
    const found = await again.call("GetByEmail", { email });
    again.close();
    expect(JSON.stringify(found)).toContain("Ada");
    const after = Number((await get(`http://${svc.ip}:${svc.http}/getCounter`)).split(" ")[1]);
    expect(after).toBeGreaterThan(before);
    pod = replaced;
  }, 300_000);

  it("stores its data in a directory of the real node made by our provisioner", async () => {
    const claims = await core.listNamespacedPersistentVolumeClaim({
      namespace: tenantNamespace(name),
    });
    const claim = claims.items[0]!;
    expect(claim.status?.phase).toBe("Bound");
    const pv = await core.readPersistentVolume({ name: claim.spec!.volumeName! });
    expect(pv.metadata?.annotations?.["pv.kubernetes.io/provisioned-by"]).toBe(PROVISIONER_NAME);
    const dir = pv.spec!.local!.path;
    expect(dir.startsWith(nodeFiles(harnessCluster().dir).volumesDir)).toBe(true);
    expect(fs.readdirSync(dir).length).toBeGreaterThan(0);
  });
});

describe("a tenant on an external PostgreSQL, on the real node", () => {
  const tenant = minimalTenant("real-pg", {});
  const name = tenant.metadata.name!;
  let postgres: PostgresServer | undefined;
  let pod: V1Pod;

  beforeAll(async () => {
    // A throw-away server the pod reaches at the node's address, as the demo's (scripts/demo/
    // database.ts); trust for the pod subnet only, since nothing else shares this machine's.
    const node = await core.readNode({ name: REAL_NODE_NAME });
    const nodeIp = node.status!.addresses!.find((a) => a.type === "InternalIP")!.address;
    postgres = await startPostgres({ listen: [nodeIp], hba: [`host all all ${POD_SUBNET} trust`] });
    const uri = (await postgres.createDatabase("real_pg")).replace("@127.0.0.1:", `@${nodeIp}:`);
    tenant.metadata.labels = env.labels;
    tenant.spec.database = { mode: "external", secretRef: { name: "db" } };
    env.track(name);
    await applyManifest(tenant);
    await waitForTenant(name, (t) => t.status?.namespace !== undefined, "its namespace");
    await core.createNamespacedSecret({
      namespace: tenantNamespace(name),
      body: { metadata: { name: "db" }, stringData: { uri } },
    });
    await waitForTenant(name, isReady, "Ready", 180_000);
    pod = await readyPod(name);
    await serviceAnswering(name);
  }, 300_000);

  afterAll(async () => {
    await postgres?.stop();
  });

  it("holds issue 13's steady memory goal for PostgreSQL through the footprint bench's load, read from its container's cgroup, never OOM-killed", async () => {
    expect(pod.spec?.nodeName).toBe(REAL_NODE_NAME);
    const { steadyMib } = await footprintInCgroup(name, pod);
    expect(steadyMib).toBeLessThanOrEqual(FOOTPRINT_GOALS.postgres.steady);
  }, 300_000);
});

describe("a tenant's data and its deletionPolicy", () => {
  const tenantsApi = kc.makeApiClient(CustomObjectsApi);
  const TENANTS = { group: "platform.tenancy.dev", version: "v1alpha1", plural: "tenants" };

  async function volumeOf(name: string): Promise<{ pv: string; dir: string }> {
    const claim = (
      await core.listNamespacedPersistentVolumeClaim({ namespace: tenantNamespace(name) })
    ).items[0]!;
    const pv = await core.readPersistentVolume({ name: claim.spec!.volumeName! });
    return { pv: pv.metadata!.name!, dir: pv.spec!.local!.path };
  }

  it.each(["Delete", "Retain"] as const)(
    "deletionPolicy %s: deleting the Tenant deletes or keeps its volume and directory",
    async (policy) => {
      const t = minimalTenant(`dp-${policy.toLowerCase()}`, env.labels);
      t.spec.deletionPolicy = policy;
      const name = t.metadata.name!;
      env.track(name);
      await applyManifest(t);
      await waitForTenant(name, isReady, "Ready", 180_000);
      const { pv, dir } = await volumeOf(name);
      expect(fs.existsSync(dir)).toBe(true);
      await tenantsApi.deleteClusterCustomObject({ ...TENANTS, name });
      await waitUntil(`Tenant ${name} gone`, async () => {
        try {
          await getTenant(name);
          return false;
        } catch {
          return true;
        }
      });
      const pvExists = async (): Promise<boolean> =>
        core.readPersistentVolume({ name: pv }).then(
          () => true,
          () => false,
        );
      if (policy === "Delete") {
        await waitUntil(
          "the volume and its directory to be deleted",
          async () => !(await pvExists()) && !fs.existsSync(dir),
          120_000,
        );
      } else {
        // Give the provisioner passes the chance to (wrongly) delete it.
        await new Promise((r) => setTimeout(r, 5_000));
        expect(await pvExists()).toBe(true);
        expect(fs.existsSync(dir)).toBe(true);
      }
    },
    300_000,
  );
});
