// `helm install` of charts/tenant-operator on the local cluster's real node: the operator
// runs as the chart's two pods, from the image built from our Dockerfile (imported into the
// node's containerd), with the chart's ServiceAccount and RBAC only; leader election picks
// one; a Tenant applied afterwards becomes Ready with its pod running; `helm uninstall`
// removes the operator and keeps the Tenant, its namespace and its data.
import { CoordinationV1Api, CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureImage, type BuiltImage } from "../cluster/image.js";
import { importImage, nodeImages, REAL_NODE_NAME } from "../cluster/node.js";
import {
  harnessCluster,
  TEST_LABEL,
  testCluster,
  uniqueName,
  useTestNamespace,
  waitUntil,
} from "../cluster/testing.js";
import {
  applyManifest,
  getTenant,
  isReady,
  kubectlOk,
  minimalTenant,
  tenantNamespace,
  waitForTenant,
} from "../operator/testing.js";
import { CHART_DIR, helm } from "./helm.js";

describe("the chart installed with helm on the real node", () => {
  const ns = useTestNamespace("helm");
  const release = uniqueName("op");
  const fullname = `${release}-tenant-operator`;
  let built: BuiltImage;
  let tenantName = "";
  const selector = `app.kubernetes.io/instance=${release}`;
  const operatorPods = async (): Promise<V1Pod[]> =>
    (
      await ns.kc
        .makeApiClient(CoreV1Api)
        .listNamespacedPod({ namespace: ns.name, labelSelector: selector })
    ).items;
  const helmAt = (args: string[]) =>
    helm([...args, "--kubeconfig", testCluster().kubeconfigPath, "--namespace", ns.name]);

  beforeAll(async () => {
    if (!harnessCluster().hasRealNode)
      throw new Error(
        "this run's cluster has no real node (another cluster on this machine runs it, or " +
          "TENANT_OPERATOR_REAL_NODE=0): see the global setup's log",
      );
    built = await ensureImage();
    // The node imports the image when it starts; a build since then is imported here.
    if (!nodeImages(harnessCluster().dir).includes(built.image))
      importImage(harnessCluster().dir, built.archive);
    const installed = helmAt([
      "install",
      release,
      CHART_DIR,
      // The image is on the node, never pulled: the chart's default reference, IfNotPresent.
      "--set",
      "image.pullPolicy=IfNotPresent",
      "--set",
      "operator.tenantImagePullPolicy=IfNotPresent",
      // Only this file's Tenants: other files' operators share the cluster.
      "--set",
      `operator.tenantSelector=${TEST_LABEL}=${ns.name}`,
    ]);
    expect(installed.status, installed.stderr).toBe(0);
  }, 30 * 60_000);

  afterAll(async () => {
    helmAt(["uninstall", release, "--ignore-not-found"]);
    if (!tenantName) return;
    // No operator is left to run the Tenant's finalizer: drop it, then remove what it owned.
    await kubectlOk([
      "patch",
      "tenant",
      tenantName,
      "--type=merge",
      "-p",
      '{"metadata":{"finalizers":null}}',
    ]).catch(() => {});
    await kubectlOk(["delete", "tenant", tenantName, "--ignore-not-found", "--wait=false"]).catch(
      () => {},
    );
    await kubectlOk([
      "delete",
      "namespace",
      tenantNamespace(tenantName),
      "--ignore-not-found",
      "--wait=false",
    ]).catch(() => {});
  });

  it("runs the operator as 2 Ready pods of the built image, under the chart's ServiceAccount", async () => {
    expect(nodeImages(harnessCluster().dir)).toContain(built.image);
    let pods: V1Pod[] = [];
    await waitUntil(
      "2 Ready operator pods",
      async () => {
        pods = await operatorPods();
        return (
          pods.length === 2 &&
          pods.every((p) =>
            p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
          )
        );
      },
      300_000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}\n${JSON.stringify(
          pods.map((p) => p.status),
          null,
          1,
        )}`,
      );
    });
    for (const pod of pods) {
      expect(pod.spec?.nodeName).toBe(REAL_NODE_NAME);
      expect(pod.spec?.serviceAccountName).toBe(fullname);
      const status = pod.status?.containerStatuses?.[0];
      expect(status?.image).toBe(built.image);
      expect(status?.restartCount).toBe(0);
    }
  }, 330_000);

  it("elects one of the two pods leader on the chart's Lease", async () => {
    const names = (await operatorPods()).map((p) => p.metadata!.name!);
    let holder: string | undefined;
    await waitUntil("a Lease holder", async () => {
      const lease = await ns.kc
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ name: fullname, namespace: ns.name });
      holder = lease.spec?.holderIdentity;
      return holder !== undefined && holder !== "";
    });
    expect(
      names.some((n) => holder?.includes(n)),
      `holder ${holder} of ${names.join(", ")}`,
    ).toBe(true);
  });

  it("makes a Tenant applied afterwards Ready, with its pod Running on the real node", async () => {
    const tenant = minimalTenant("helm", { [TEST_LABEL]: ns.name });
    tenantName = tenant.metadata.name!;
    await applyManifest(tenant);
    await waitForTenant(tenantName, isReady, "Ready", 300_000);
    const pods = await ns.kc
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace: tenantNamespace(tenantName) });
    const running = pods.items.filter((p) => p.status?.phase === "Running");
    expect(running).toHaveLength(1);
    expect(running[0]!.spec?.nodeName).toBe(REAL_NODE_NAME);
    expect(running[0]!.status?.containerStatuses?.[0]?.image).toBe(built.image);
  }, 330_000);

  it("helm uninstall removes the operator and keeps the Tenant, its namespace and its data", async () => {
    const uninstalled = helmAt(["uninstall", release, "--wait", "--timeout", "50s"]);
    expect(uninstalled.status, uninstalled.stderr).toBe(0);
    await waitUntil(
      "the operator pods to be gone",
      async () => (await operatorPods()).length === 0,
      120_000,
    );
    const tenant = await getTenant(tenantName);
    expect(tenant.metadata.deletionTimestamp).toBeUndefined();
    const core = ns.kc.makeApiClient(CoreV1Api);
    const claims = await core.listNamespacedPersistentVolumeClaim({
      namespace: tenantNamespace(tenantName),
    });
    expect(claims.items.map((c) => c.status?.phase)).toEqual(["Bound"]);
    // The CRD stays too (Helm never deletes a chart's CRDs), so Tenants stay readable.
    await kubectlOk(["get", "crd", "tenants.platform.tenancy.dev"]);
  }, 120_000);
});
