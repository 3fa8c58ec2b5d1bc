// The demo, end to end, against the run's cluster: `scripts/demo.ts --smoke --kubeconfig`
// brings examples/tenants/ to Ready through the built operator, with their pods running the
// image built from our Dockerfile on the real node, answers through each tenant's Service
// (ClusterIP via kube-proxy) and stops. While it runs, this test watches the cluster itself:
// the addresses the demo printed must be the Services' ClusterIPs, and each tenant must have had
// Ready containers on the real node, so a tenant served by a stand-in process fails here. The
// prefix keeps its Tenants apart from other files'.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CoreV1Api, CustomObjectsApi, VersionApi } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { REAL_NODE_NAME } from "../cluster/node-config.js";
import { harnessCluster, testCluster, testKubeConfig, uniqueName } from "../cluster/testing.js";
import { DEMO_LABEL } from "../../scripts/demo/tenants.js";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const EXAMPLES = ["acme", "globex", "initech"];

function runDemo(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    // The test runner's own Node (not whichever `npx` PATH finds), as demo.sh runs it.
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", ...args], {
      cwd: ROOT,
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 420_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

interface Seen {
  /** ClusterIP of the tenant's Service. */
  clusterIp?: string;
  /** Pods seen Running and Ready: name -> node and containerID. */
  readyPods: Map<string, { node: string; containerId: string }>;
}

/** Polls the cluster until stopped: the demo tenants' Services and Ready pods, as they appear. */
function watchTenants(prefix: string): { seen: Map<string, Seen>; stop: () => Promise<void> } {
  const core = testKubeConfig().makeApiClient(CoreV1Api);
  const seen = new Map<string, Seen>(EXAMPLES.map((e) => [e, { readyPods: new Map() }]));
  let running = true;
  const look = async (example: string): Promise<void> => {
    const namespace = `tenant-${prefix}-${example}`;
    const s = seen.get(example)!;
    const svc = await core.readNamespacedService({ name: "tenant", namespace });
    if (svc.spec?.clusterIP) s.clusterIp = svc.spec.clusterIP;
    for (const p of (await core.listNamespacedPod({ namespace })).items) {
      const ready = p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
      const containerId = p.status?.containerStatuses?.[0]?.containerID;
      if (ready && containerId)
        s.readyPods.set(p.metadata!.name!, { node: p.spec!.nodeName!, containerId });
    }
  };
  const loop = (async () => {
    while (running) {
      // A namespace that does not exist yet (or is gone) has nothing to see.
      for (const example of EXAMPLES) await look(example).catch(() => undefined);
      await new Promise((r) => setTimeout(r, 1000));
    }
  })();
  return {
    seen,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

describe("the demo (scripts/demo.ts --smoke)", () => {
  it("runs the example tenants as pods on the real node and each answers fibonacci(10), its counter and calc add through its Service's ClusterIP", async () => {
    expect(harnessCluster().hasRealNode, "the run's cluster has no real node").toBe(true);
    const prefix = uniqueName("demo");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-test-"));
    const { kubeconfigPath } = testCluster();
    const watch = watchTenants(prefix);
    const run = await runDemo([
      "--smoke",
      `--kubeconfig=${kubeconfigPath}`,
      `--prefix=${prefix}`,
      `--dir=${dir}`,
    ]);
    await watch.stop();
    const demoLines = run.out
      .split("\n")
      .filter((l) => !l.startsWith("{"))
      .join("\n");
    expect(run.code, demoLines).toBe(0);
    expect(run.out).toMatch(/^NAME +HOST +READY +URL/m);
    for (const example of EXAMPLES) {
      const name = `${prefix}-${example}`;
      expect(run.out).toMatch(
        new RegExp(`^${name} +${name}\\.tenants\\.example\\.com +True +https://${name}\\.`, "m"),
      );
      // The pods the cluster ran: Ready containers of containerd on the real node.
      const seen = watch.seen.get(example)!;
      expect(seen.readyPods.size, `${name}: no Ready pod seen`).toBeGreaterThan(0);
      for (const pod of seen.readyPods.values()) {
        expect(pod.node).toBe(REAL_NODE_NAME);
        expect(pod.containerId).toMatch(/^containerd:\/\/[0-9a-f]{64}$/);
      }
      // What the demo reached: the Service's ClusterIP, not a process on localhost.
      const ip = seen.clusterIp!;
      expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      expect(run.out).toContain(`$ curl http://${ip}:80/fibonacci/10/`);
      expect(run.out).toContain(
        `${name}: GET /fibonacci/10/ via ClusterIP ${ip} -> {"response":"55"}`,
      );
      // A fresh store each: the counter starts at 1 (globex's on the demo's PostgreSQL).
      expect(run.out).toContain(`${name}: GET /getCounter via ClusterIP ${ip} -> 1`);
      expect(run.out).toContain(`$ npm run cli -- --addr ${ip}:50051 calc add 2 3`);
      expect(run.out).toContain(`${name}: calc add 2 3 via ClusterIP ${ip} -> 5`);
      expect(demoLines).not.toMatch(/localhost:\d+/);
    }
    expect(watch.seen.get("globex")!.readyPods.size).toBe(2); // autoscaling.minReplicas
    // globex's pods reach the demo's PostgreSQL at the node's address, with a role of its own.
    expect(run.out).toMatch(
      new RegExp(
        `${prefix}-globex: postgres://demo_${prefix.replace(/-/g, "_")}_globex:\\*\\*\\*@\\d+\\.\\d+\\.\\d+\\.\\d+:\\d+/`,
      ),
    );
    expect(run.out).toContain("simulated: the kwok nodes");
    expect(run.out).toContain("smoke run passed");

    // It leaves a cluster it did not start running, and takes its Tenants, their namespaces
    // (globex's Retain policy keeps its own) and so their pods away.
    const kc = testKubeConfig();
    await expect(kc.makeApiClient(VersionApi).getCode()).resolves.toBeTruthy();
    const left = (await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({
      group: "platform.tenancy.dev",
      version: "v1alpha1",
      plural: "tenants",
      labelSelector: `${DEMO_LABEL}=${prefix}`,
    })) as { items: unknown[] };
    expect(left.items).toEqual([]);
    const core = kc.makeApiClient(CoreV1Api);
    const namespaces = (await core.listNamespace()).items.map((n) => n.metadata!.name!);
    expect(namespaces.filter((n) => n.startsWith(`tenant-${prefix}-`))).toEqual([]);
    const pods = await core.listPodForAllNamespaces({
      fieldSelector: `spec.nodeName=${REAL_NODE_NAME}`,
    });
    expect(
      pods.items.filter((p) => p.metadata!.namespace!.startsWith(`tenant-${prefix}-`)),
    ).toEqual([]);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 450_000);
});
