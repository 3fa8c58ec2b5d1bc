// The disruption helpers (restart the API server, pause etcd) and the cluster lifecycle.
// They run on a cluster of this file's own (etcd + API server only), beside the run's
// cluster, so disrupting it never disturbs the test files running in parallel.
import fs from "node:fs";
import path from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, isClusterHealthy, startCluster, stopCluster } from "./cluster.js";
import { isAlive } from "./processes.js";
import { readState } from "./state.js";
import { testCluster } from "./testing.js";

const dir = path.resolve(import.meta.dirname, "../../.local/cluster-tests", `own-${process.pid}`);
let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ dir, minimal: true, ownerPid: process.pid });
});

afterAll(async () => {
  await stopCluster(dir);
});

function core(): CoreV1Api {
  return cluster.kubeConfig().makeApiClient(CoreV1Api);
}

const recordedPids = (): number[] =>
  Object.values(readState(dir)?.components ?? {}).map((c) => c.pid);

/** Resolves to "timeout" if `promise` has not settled within `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | "timeout"> {
  return Promise.race([promise, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms))]);
}

describe("a second cluster", () => {
  it("runs beside the run's cluster on its own ports", async () => {
    expect(cluster.server).not.toBe(testCluster().server);
    const names = async (): Promise<(string | undefined)[]> =>
      (await core().listNamespace()).items.map((n) => n.metadata?.name);
    // The API server creates its system namespaces right after it turns ready.
    await expect.poll(names, { timeout: 30_000 }).toContain("default");
  });
});

describe("restartApiServer", () => {
  it("brings the API server back on the same address with its data kept", async () => {
    await core().createNamespacedConfigMap({
      namespace: "default",
      body: { metadata: { name: "survivor" }, data: { kept: "yes" } },
    });
    const before = readState(dir)!.components["kube-apiserver"]!.pid;

    await cluster.restartApiServer();

    const after = readState(dir)!.components["kube-apiserver"]!.pid;
    expect(after).not.toBe(before);
    expect(isAlive(before)).toBe(false);
    const cm = await core().readNamespacedConfigMap({ name: "survivor", namespace: "default" });
    expect(cm.data).toEqual({ kept: "yes" });
  });
});

describe("pauseEtcd / resumeEtcd", () => {
  it("makes storage-backed requests hang while paused and complete after resume", async () => {
    cluster.pauseEtcd();
    let pending: Promise<unknown> | undefined;
    try {
      pending = core().createNamespacedConfigMap({
        namespace: "default",
        body: { metadata: { name: "written-while-paused" } },
      });
      pending.catch(() => {}); // observed below
      expect(await within(pending, 3000)).toBe("timeout");
    } finally {
      cluster.resumeEtcd();
    }
    // The write that hung goes through once etcd runs again.
    await pending;
    const cm = await core().readNamespacedConfigMap({
      name: "written-while-paused",
      namespace: "default",
    });
    expect(cm.metadata?.name).toBe("written-while-paused");
  });
});

describe("lifecycle", () => {
  it("cleans up a crashed cluster on the next start and leaves no process after stop", async () => {
    const crashedPids = recordedPids();
    process.kill(readState(dir)!.components["kube-apiserver"]!.pid, "SIGKILL");
    await expect.poll(() => isClusterHealthy(dir), { timeout: 10_000 }).toBe(false);

    cluster = await startCluster({ dir, minimal: true, ownerPid: process.pid });
    expect(crashedPids.filter(isAlive)).toEqual([]);
    expect(await isClusterHealthy(dir)).toBe(true);
    const kc = new KubeConfig();
    kc.loadFromFile(cluster.kubeconfigPath);
    // A fresh start has fresh data.
    await expect(
      kc
        .makeApiClient(CoreV1Api)
        .readNamespacedConfigMap({ name: "survivor", namespace: "default" }),
    ).rejects.toMatchObject({ code: 404 });

    const pids = recordedPids();
    expect(pids).toHaveLength(2);
    await cluster.stop();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
  });
});
