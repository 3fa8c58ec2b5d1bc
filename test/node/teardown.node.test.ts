// `cluster:down` leaves nothing of the real node behind: no process, container, mount, network
// interface, iptables chain or cgroup of ours. A cluster of its own with a pod running on the
// real node (so there is a sandbox, a veth, CNI and kube-proxy chains to clean), stopped the
// way `npm run cluster:down` stops it.
import os from "node:os";
import path from "node:path";
import fs from "node:fs";
import { AppsV1Api, CoreV1Api } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { startCluster, stopCluster } from "../cluster/cluster.js";
import { leftovers } from "../cluster/node-cleanup.js";
import { CNI_BRIDGE, REAL_NODE_NAME, nodeFiles } from "../cluster/node-config.js";
import { waitFor } from "../cluster/readiness.js";

describe("cluster:down with a real node", () => {
  it("stops every process of the node and leaves no container, mount, interface, iptables chain or cgroup", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "node-teardown-"));
    fs.rmdirSync(dir);
    const log = (line: string): void => console.log(line);
    const cluster = await startCluster({ dir, ownerPid: process.pid, nodes: 1, log });
    try {
      expect(cluster.hasRealNode).toBe(true);
      const kc = cluster.kubeConfig();
      const name = "teardown";
      // A pod with a Service: a sandbox with a veth on the bridge, CNI and kube-proxy chains.
      await kc.makeApiClient(AppsV1Api).createNamespacedDeployment({
        namespace: "default",
        body: {
          metadata: { name },
          spec: {
            selector: { matchLabels: { app: name } },
            template: {
              metadata: { labels: { app: name } },
              spec: {
                containers: [
                  {
                    name: "pause",
                    image: "tenant-operator.local/pause:1",
                    imagePullPolicy: "Never",
                  },
                ],
              },
            },
          },
        },
      });
      await kc.makeApiClient(CoreV1Api).createNamespacedService({
        namespace: "default",
        body: {
          metadata: { name },
          spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 8080 }] },
        },
      });
      const core = kc.makeApiClient(CoreV1Api);
      await waitFor(
        "the pod Running on the real node",
        async () =>
          (
            await core.listNamespacedPod({ namespace: "default", labelSelector: `app=${name}` })
          ).items.some((p) => p.status?.phase === "Running" && p.spec?.nodeName === REAL_NODE_NAME),
        120_000,
      );
      const running = leftovers(nodeFiles(dir));
      // The checks see what a running node has: otherwise "nothing left" proves nothing.
      expect(running.processes.length).toBeGreaterThan(3);
      expect(running.interfaces).toContain(CNI_BRIDGE);
      expect(running.interfaces.length).toBeGreaterThan(1);
      expect(running.chains.some((c) => c.includes("KUBE-SERVICES"))).toBe(true);
      expect(running.chains.some((c) => c.includes("CNI-"))).toBe(true);
      expect(running.mounts.length).toBeGreaterThan(0);
      expect(running.cgroups.length).toBeGreaterThan(0);
    } finally {
      await stopCluster(dir);
    }
    expect(leftovers(nodeFiles(dir))).toEqual({
      processes: [],
      mounts: [],
      interfaces: [],
      chains: [],
      cgroups: [],
    });
    expect(fs.existsSync(dir)).toBe(false);
  });
});
