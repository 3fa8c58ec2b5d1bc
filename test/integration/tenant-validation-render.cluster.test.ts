// Rendered children against a real kube-apiserver: every object the pure render produces is
// accepted by server-side apply (dry run, raw JSON as the operator sends it), and the
// Deployment's pod passes Pod Security "restricted" enforcement in the tenant namespace the
// render labels. Then, applied for real, each child reads back (typed through client-node and
// as raw kubectl JSON) without drift: what the render says is what the API server keeps, so a
// no-op reconcile can make no writes.
import {
  CoreV1Api,
  KubernetesObjectApi,
  type KubernetesObject,
  type V1Deployment,
  type V1Pod,
} from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Tenant } from "../../operator/api/types.js";
import { CHILD_KINDS } from "../../operator/tenant/children.js";
import { findDrift } from "../../operator/tenant/drift.js";
import { appliedHashOf } from "../../operator/tenant/hash.js";
import { renderTenant } from "../../operator/tenant/render.js";
import { renderConfig, tenant } from "../../operator/tenant/testing/fixtures.js";
import { testKubeConfig, uniqueName } from "../cluster/testing.js";
import { kubectl, serverSideApply } from "./tenant-validation-helpers.js";

const config = renderConfig({
  defaultIssuer: { name: "letsencrypt", kind: "ClusterIssuer" },
  dnsTargets: ["192.0.2.10"],
  ingressClass: "nginx",
});

const VARIANTS: { name: string; build: (name: string) => Tenant }[] = [
  { name: "plain embedded", build: (n) => tenant(n).build() },
  {
    name: "external, autoscaled, with quota and resources",
    build: (n) =>
      tenant(n)
        .external("db")
        .withAutoscaling(2, 5, 70)
        .withQuota({ cpu: "4", memory: "8Gi", pods: 20, storage: "10Gi" })
        .withResources({
          requests: { cpu: "200m", memory: "256Mi" },
          limits: { cpu: 1, memory: "512Mi" },
        })
        .build(),
  },
  {
    name: "branded, Issuer, TLS off for gRPC-less services, Retain",
    build: (n) =>
      tenant(n)
        .withBranding({
          primaryColor: "#c0392b",
          logoURL: "https://x.example/l.svg",
          welcomeMessage: "Hi",
        })
        .withIssuer("local", "Issuer")
        .withServices("calculator")
        .retain()
        .build(),
  },
  {
    name: "suspended, TLS and DNS off",
    build: (n) => tenant(n).suspended().tlsDisabled().dnsDisabled().build(),
  },
];

function withoutOwner<T extends KubernetesObject>(obj: T): T {
  const copy = structuredClone(obj);
  delete copy.metadata!.ownerReferences;
  return copy;
}

describe.each(VARIANTS)("the rendered children of a tenant: $name", ({ build }) => {
  const t = build(uniqueName("rv"));
  const objects = renderTenant(t, config);
  const namespace = objects[0]!;
  let core: CoreV1Api;

  beforeAll(async () => {
    core = testKubeConfig().makeApiClient(CoreV1Api);
    // Created for real, without the owner reference (no Tenant exists, the garbage collector
    // would remove it); the dry runs below need the namespace and the ServiceAccount to exist.
    for (const obj of objects.filter(
      (o) => o.kind === "Namespace" || o.kind === "ServiceAccount",
    )) {
      await serverSideApply(withoutOwner(obj));
    }
  });

  afterAll(async () => {
    await core?.deleteNamespace({ name: namespace.metadata!.name! }).catch(() => {});
  });

  it("are all accepted by server-side apply (DNSEndpoint aside: external-dns is not installed here)", async () => {
    const rejected: string[] = [];
    for (const obj of objects.filter((o) => o.kind !== "DNSEndpoint")) {
      try {
        await serverSideApply(obj, { dryRun: true });
      } catch (err) {
        rejected.push(`${obj.kind}/${obj.metadata?.name}: ${(err as Error).message}`);
      }
    }
    expect(rejected).toEqual([]);
  });

  it("keep names the API server would normalise unchanged (what is rendered is what is stored)", async () => {
    const cm = objects.find((o) => o.kind === "ConfigMap")!;
    const stored = await serverSideApply(cm, { dryRun: true });
    expect(stored.metadata?.labels).toEqual(cm.metadata?.labels);
    expect(stored.metadata?.annotations).toEqual(cm.metadata?.annotations);
    expect((stored as { data?: unknown }).data).toEqual((cm as { data?: unknown }).data);
  });

  it("run a pod that Pod Security 'restricted' admits in the tenant namespace", async () => {
    const deployment = objects.find((o) => o.kind === "Deployment") as V1Deployment;
    const pod: V1Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "psa-probe", namespace: namespace.metadata!.name },
      spec: deployment.spec!.template.spec!,
    };
    await expect(
      core.createNamespacedPod({ namespace: pod.metadata!.namespace!, body: pod, dryRun: "All" }),
    ).resolves.toBeDefined();
  });

  it("and the same namespace refuses a pod that escalates privileges (the check is live)", async () => {
    const deployment = objects.find((o) => o.kind === "Deployment") as V1Deployment;
    const spec = structuredClone(deployment.spec!.template.spec!);
    spec.containers[0]!.securityContext = {
      ...spec.containers[0]!.securityContext,
      allowPrivilegeEscalation: true,
    };
    const pod: V1Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "psa-bad", namespace: namespace.metadata!.name },
      spec,
    };
    await expect(
      core.createNamespacedPod({ namespace: pod.metadata!.namespace!, body: pod, dryRun: "All" }),
    ).rejects.toThrow(/violates PodSecurity/);
  });
});

describe.each(VARIANTS)(
  "the applied children of a tenant read back without drift: $name",
  ({ build }) => {
    const name = uniqueName("rt");
    let objects: KubernetesObject[] = [];
    let client: KubernetesObjectApi;

    beforeAll(async () => {
      const kc = testKubeConfig();
      client = KubernetesObjectApi.makeApiClient(kc);
      // No Tenant object is created (a running operator from another test file would adopt
      // it), so the owner reference is left out: the garbage collector would otherwise remove
      // children whose owner does not exist.
      objects = renderTenant(build(name), config)
        .filter((o) => o.kind !== "DNSEndpoint")
        .map(withoutOwner);
      for (const obj of objects) {
        await serverSideApply(obj);
      }
    });

    afterAll(async () => {
      await kubectl(["delete", "namespace", `tenant-${name}`, "--wait=false"]);
    });

    it("typed, as the operator's informers see them", async () => {
      const drift: Record<string, string[]> = {};
      for (const obj of objects) {
        const observed = await client.read({
          apiVersion: obj.apiVersion!,
          kind: obj.kind!,
          metadata: { name: obj.metadata!.name!, namespace: obj.metadata!.namespace },
        });
        expect(appliedHashOf(observed), obj.kind).toBe(appliedHashOf(obj));
        const paths = findDrift(obj, observed);
        if (paths.length > 0) drift[`${obj.kind}/${obj.metadata?.name}`] = paths;
      }
      expect(drift).toEqual({});
    });

    it("as raw JSON from kubectl", async () => {
      const drift: Record<string, string[]> = {};
      for (const obj of objects) {
        const kind = CHILD_KINDS.find(
          (k) => k.kind === obj.kind && k.apiVersion === obj.apiVersion,
        )!;
        const group = obj.apiVersion!.includes("/") ? `.${obj.apiVersion!.split("/")[0]}` : "";
        const ns = obj.metadata?.namespace ? ["-n", obj.metadata.namespace] : [];
        const run = await kubectl([
          "get",
          `${kind.plural}${group}`,
          obj.metadata!.name!,
          ...ns,
          "-o",
          "json",
        ]);
        expect(run.code, run.stderr).toBe(0);
        const paths = findDrift(obj, JSON.parse(run.stdout) as KubernetesObject);
        if (paths.length > 0) drift[`${obj.kind}/${obj.metadata?.name}`] = paths;
      }
      expect(drift).toEqual({});
    });
  },
);
