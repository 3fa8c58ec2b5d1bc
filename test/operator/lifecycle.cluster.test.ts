// Acceptance of issue 6 on the real local control plane: what deleting a Tenant does under each
// deletionPolicy, and a tenant shaped like examples/tenants/globex.yaml (autoscaled, on an
// external database whose Secret arrives after the Tenant).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import yaml from "js-yaml";
import type {
  KubernetesObject,
  V1Deployment,
  V1Namespace,
  V1PersistentVolumeClaim,
  V1Secret,
  V2HorizontalPodAutoscaler,
  V1PodDisruptionBudget,
  V1ResourceQuota,
} from "@kubernetes/client-node";
import type { Tenant } from "../../operator/api/types.js";
import { waitUntil } from "../cluster/testing.js";
import {
  applyManifest,
  condition,
  EXAMPLES_DIR,
  exampleTenant,
  getObject,
  isReady,
  kubectlOk,
  listObjects,
  minimalTenant,
  tenantNamespace,
  useOperatorEnv,
  resyncAndWait,
  waitForTenant,
} from "./testing.js";

const env = useOperatorEnv("lifecycle");

async function readyTenant(tenant: Tenant): Promise<Tenant> {
  env.track(tenant.metadata.name!);
  await applyManifest(tenant);
  return waitForTenant(tenant.metadata.name!, isReady, "Ready");
}

async function deleteTenantAndWait(name: string): Promise<void> {
  await kubectlOk(["delete", "tenant", name, "--wait=false"]);
  await waitUntil(
    `Tenant ${name} to be gone (finalizer done)`,
    async () => (await getObject("tenant", name)) === undefined,
  );
}

/** The namespace and its data claim (the same one) are there, alive, and free of the Tenant. */
async function expectRetained(
  ns: string,
  tenantUid: string | undefined,
  pvcUid: string | undefined,
): Promise<void> {
  const namespace = await getObject<V1Namespace>("namespace", ns);
  expect(namespace, `namespace ${ns}`).toBeDefined();
  expect(namespace!.metadata!.deletionTimestamp).toBeUndefined();
  expect(ownedBy(namespace, tenantUid)).toBe(false);
  const pvc = await getObject<V1PersistentVolumeClaim>("persistentvolumeclaim", "tenant-data", ns);
  expect(pvc, "the data claim").toBeDefined();
  expect(pvc!.metadata!.uid).toBe(pvcUid);
  expect(pvc!.metadata!.deletionTimestamp).toBeUndefined();
  expect(pvc!.status!.phase).toBe("Bound");
  expect(ownedBy(pvc, tenantUid)).toBe(false);
}

function ownedBy(obj: KubernetesObject | undefined, uid: string | undefined): boolean {
  return (obj?.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);
}

describe("deleting a Tenant", () => {
  it("with deletionPolicy Delete removes its namespace and everything in it", async () => {
    const tenant = await readyTenant(minimalTenant("del", env.labels));
    const name = tenant.metadata.name!;
    const ns = tenantNamespace(name);
    expect(tenant.spec.deletionPolicy).toBe("Delete"); // the CRD's default
    expect((await listObjects("deployments.apps,persistentvolumeclaims", ns)).length).toBe(2);

    await deleteTenantAndWait(name);
    const right = await getObject<V1Namespace>("namespace", ns);
    expect(
      right === undefined || right.metadata?.deletionTimestamp !== undefined,
      "the namespace is terminating or gone once the Tenant is",
    ).toBe(true);
    await waitUntil(
      `namespace ${ns} to be gone`,
      async () => (await getObject("namespace", ns)) === undefined,
      120_000,
    );
  }, 240_000);

  const keep = minimalTenant("keep", env.labels);
  const retainTenant: Tenant = { ...keep, spec: { ...keep.spec, deletionPolicy: "Retain" } };
  let retainedPvcUid: string | undefined;

  it("with deletionPolicy Retain keeps the namespace and the data claim, no longer owned by the Tenant", async () => {
    const tenant = await readyTenant(retainTenant);
    const name = tenant.metadata.name!;
    const uid = tenant.metadata.uid;
    const ns = tenantNamespace(name);
    const pvcBefore = await getObject<V1PersistentVolumeClaim>(
      "persistentvolumeclaim",
      "tenant-data",
      ns,
    );
    retainedPvcUid = pvcBefore?.metadata?.uid;
    expect(ownedBy(pvcBefore, uid)).toBe(true);
    expect(ownedBy(await getObject("namespace", ns), uid)).toBe(true);

    await deleteTenantAndWait(name);
    await expectRetained(ns, uid, retainedPvcUid);
    // The rest was the Tenant's only: the garbage collector takes it, and nothing retained.
    await waitUntil("the Deployment to be garbage-collected", async () => {
      return (await getObject("deployment", "tenant", ns)) === undefined;
    });
    await expectRetained(ns, uid, retainedPvcUid);
  }, 180_000);

  it("gives a Tenant created again under the same name the retained namespace and its data", async () => {
    expect(retainedPvcUid, "the Retain test ran").toBeDefined();
    const again = await readyTenant(retainTenant);
    const ns = tenantNamespace(again.metadata.name!);
    const pvc = await getObject<V1PersistentVolumeClaim>(
      "persistentvolumeclaim",
      "tenant-data",
      ns,
    );
    expect(pvc?.metadata?.uid).toBe(retainedPvcUid);
    expect(ownedBy(pvc, again.metadata.uid)).toBe(true);
    expect(ownedBy(await getObject("namespace", ns), again.metadata.uid)).toBe(true);
  }, 180_000);
});

describe("a tenant whose data claim cannot be bound", () => {
  it("names the Pending claim in Ready's message (a StorageClass that does not exist)", async () => {
    const tenant = minimalTenant("noclass", env.labels);
    tenant.spec.database = { storage: { storageClassName: "no-such-class" } };
    const name = tenant.metadata.name!;
    env.track(name);
    await applyManifest(tenant);
    const claim = `${tenantNamespace(name)}/tenant-data`;
    const waiting = await waitForTenant(
      name,
      (t) => (condition(t, "Ready")?.message ?? "").includes(`claim ${claim} is Pending`),
      `Ready's message naming the Pending claim ${claim}`,
    );
    expect(condition(waiting, "Ready")).toMatchObject({
      status: "False",
      reason: "DeploymentUnavailable",
    });
  });
});

describe("a tenant like examples/tenants/globex.yaml: autoscaled on an external database", () => {
  const globex = exampleTenant("globex.yaml", env.labels);
  const name = globex.metadata.name!;
  const ns = tenantNamespace(name);
  const secretName = globex.spec.database!.secretRef!.name;

  it("says the database Secret is missing until it exists", async () => {
    env.track(name);
    await applyManifest(globex);
    const waiting = await waitForTenant(
      name,
      (t) =>
        t.status?.observedGeneration === t.metadata.generation &&
        condition(t, "Ready")?.reason === "DatabaseSecretMissing",
      "Ready=False DatabaseSecretMissing",
    );
    expect(condition(waiting, "Ready")?.status).toBe("False");
    expect(condition(waiting, "Degraded")).toMatchObject({
      status: "True",
      reason: "DatabaseSecretMissing",
    });
    expect(condition(waiting, "Ready")?.message).toContain(`${ns}/${secretName}`);
    expect(condition(waiting, "Ready")?.message).toContain('"uri"');
  });

  it("autoscales 2 to 5 pods on CPU, with a PDB allowing one pod down at a time", async () => {
    const hpa = await getObject<V2HorizontalPodAutoscaler>("hpa", "tenant", ns);
    expect(hpa?.spec).toMatchObject({
      scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "tenant" },
      minReplicas: 2,
      maxReplicas: 5,
    });
    expect(hpa?.spec?.metrics?.[0]?.resource?.target.averageUtilization).toBe(70);
    const pdb = await getObject<V1PodDisruptionBudget>("pdb", "tenant", ns);
    expect(pdb?.spec?.maxUnavailable).toBe(1);
  });

  it("caps the namespace with quota and limits, and reads DATABASE_URL from the Secret instead of a data claim", async () => {
    const quota = await getObject<V1ResourceQuota>("resourcequota", "tenant-quota", ns);
    expect(quota?.spec?.hard).toMatchObject({
      "requests.cpu": "4",
      "requests.memory": "8Gi",
      pods: "20",
    });
    expect(await getObject("limitrange", "tenant-limits", ns)).toBeDefined();
    expect(await getObject("persistentvolumeclaim", "tenant-data", ns)).toBeUndefined();
    const deployment = await getObject<V1Deployment>("deployment", "tenant", ns);
    const vars = deployment?.spec?.template.spec?.containers[0]?.env ?? [];
    expect(vars.find((e) => e.name === "DATABASE_URL")?.valueFrom?.secretKeyRef).toEqual({
      name: secretName,
      key: "uri",
    });
    expect(deployment?.spec?.strategy?.type).toBe("RollingUpdate");
  });

  it("becomes Ready once the Secret exists", async () => {
    const secret = yaml.load(
      fs.readFileSync(path.join(EXAMPLES_DIR, "secrets", "globex-db.yaml"), "utf8"),
    ) as V1Secret & KubernetesObject;
    await applyManifest({ ...secret, metadata: { ...secret.metadata, namespace: ns } });
    // The operator does not watch Secrets it does not own: it looks again while not Ready.
    const ready = await waitForTenant(name, isReady, "Ready", 90_000);
    expect(condition(ready, "Ready")?.reason).toBe("Ready");
    // Ready waits for the autoscaler's minimum, not just the Deployment's first pod.
    expect(ready.status?.readyReplicas).toBe(2);
    expect(condition(ready, "Degraded")?.status).toBe("False");
  }, 150_000);

  it("leaves the replica count to the HPA: it scales the Deployment to its minimum, the operator applies no replicas", async () => {
    await waitUntil(
      "the HPA to scale the Deployment to 2",
      async () => {
        const d = await getObject<V1Deployment>("deployment", "tenant", ns);
        return d?.spec?.replicas === 2 && d.status?.availableReplicas === 2;
      },
      90_000,
    );
    const deployment = await getObject<V1Deployment>("deployment", "tenant", ns, {
      managedFields: true,
    });
    const ours = (deployment!.metadata!.managedFields ?? []).filter(
      (m) => m.manager === "tenant-operator" && m.operation === "Apply",
    );
    expect(ours).toHaveLength(1);
    const spec = (ours[0]!.fieldsV1 as Record<string, Record<string, unknown>>)["f:spec"];
    expect(spec, "the operator applies the Deployment's spec").toHaveProperty("f:template");
    expect(spec).not.toHaveProperty("f:replicas");
    const tenant = await waitForTenant(name, (t) => isReady(t) && t.status?.readyReplicas === 2);
    expect(tenant.status?.replicas).toBe(2);
  }, 150_000);

  it("keeps the HPA's replica count through a full resync, with no write", async () => {
    const before = await getObject<V1Deployment>("deployment", "tenant", ns);
    const writes = await env.op.writes();
    await resyncAndWait(env.op, 1);
    const after = await getObject<V1Deployment>("deployment", "tenant", ns);
    expect(after?.spec?.replicas).toBe(2);
    expect(after?.metadata?.resourceVersion).toBe(before?.metadata?.resourceVersion);
    expect(await env.op.writes()).toBe(writes);
  });
});
