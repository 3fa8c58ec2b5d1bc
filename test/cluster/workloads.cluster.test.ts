// The local control plane runs workloads: scheduler and kwok take pods to Ready on fake
// nodes, and the controller-manager's garbage collector deletes what an owner leaves.
import { AppsV1Api, CoreV1Api, type V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { KWOK_TAINT } from "./node-config.js";
import { useTestNamespace, waitUntil } from "./testing.js";

const ns = useTestNamespace("workloads");

function deployment(name: string, replicas: number): V1Deployment {
  return {
    metadata: { name, labels: { app: name } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: "app", image: "registry.invalid/app:1" }],
          // The kwok nodes are tainted: pods go there only when they ask to.
          nodeSelector: { type: "kwok" },
          tolerations: [{ ...KWOK_TAINT, operator: "Equal" }],
        },
      },
    },
  };
}

/** Creates a Deployment and waits until all its replicas are available. */
async function availableDeployment(name: string, replicas: number): Promise<void> {
  const apps = ns.kc.makeApiClient(AppsV1Api);
  await apps.createNamespacedDeployment({ namespace: ns.name, body: deployment(name, replicas) });
  await waitUntil(`Deployment ${name} available`, async () => {
    const d = await apps.readNamespacedDeployment({ name, namespace: ns.name });
    const available = d.status?.conditions?.find((c) => c.type === "Available");
    return d.status?.availableReplicas === replicas && available?.status === "True";
  });
}

describe("workloads on kwok nodes", () => {
  it("makes a Deployment of 3 replicas Available with its pods Running on kwok nodes", async () => {
    await availableDeployment("web", 3);
    const pods = await ns.kc
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: ns.name, labelSelector: "app=web" });
    expect(pods.items).toHaveLength(3);
    for (const pod of pods.items) {
      expect(pod.status?.phase).toBe("Running");
      expect(pod.spec?.nodeName).toMatch(/^kwok-node-\d+$/);
      expect(pod.status?.podIP).toBeTruthy();
    }
  });

  it.each(["Foreground", "Background"])(
    "removes the ReplicaSet and pods of a Deployment deleted with %s propagation",
    async (propagationPolicy) => {
      const name = `gc-${propagationPolicy.toLowerCase()}`;
      await availableDeployment(name, 2);
      const apps = ns.kc.makeApiClient(AppsV1Api);
      const core = ns.kc.makeApiClient(CoreV1Api);
      const selector = { namespace: ns.name, labelSelector: `app=${name}` };
      expect((await apps.listNamespacedReplicaSet(selector)).items).toHaveLength(1);
      expect((await core.listNamespacedPod(selector)).items).toHaveLength(2);

      await apps.deleteNamespacedDeployment({ name, namespace: ns.name, propagationPolicy });

      await waitUntil(`Deployment ${name}, its ReplicaSet and pods gone`, async () => {
        const [deployments, rs, pods] = await Promise.all([
          apps.listNamespacedDeployment({
            namespace: ns.name,
            fieldSelector: `metadata.name=${name}`,
          }),
          apps.listNamespacedReplicaSet(selector),
          core.listNamespacedPod(selector),
        ]);
        return deployments.items.length + rs.items.length + pods.items.length === 0;
      });
    },
  );
});
