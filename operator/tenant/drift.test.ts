import type { KubernetesObject, V1Deployment } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { findDrift, needsApply } from "./drift.js";
import { APPLIED_HASH_ANNOTATION } from "./hash.js";
import { parseQuantity, sameQuantity } from "./quantity.js";
import { renderTenant } from "./render.js";
import { renderConfig, tenant } from "./testing/fixtures.js";

describe("quantities", () => {
  it.each([
    ["1000m", "1", true],
    ["1024Mi", "1Gi", true],
    ["0.5", "500m", true],
    ["1e3", "1k", true],
    ["1.5Gi", "1536Mi", true],
    ["128Mi", "128M", false],
    ["100m", "0.1", true],
    ["2", "3", false],
    ["abc", "abc", false],
  ])("%s vs %s: same value %s", (a, b, same) => {
    expect(sameQuantity(a, b)).toBe(same);
  });

  it("rejects text that is not a quantity", () => {
    for (const text of ["", "lots", "1.2.3", "5 Gi", "Gi", "1Kb"])
      expect(parseQuantity(text)).toBeUndefined();
  });
});

const config = renderConfig({
  defaultIssuer: { name: "le", kind: "ClusterIssuer" },
  dnsTargets: ["192.0.2.1"],
});
const desired = renderTenant(
  tenant()
    .withResources({ requests: { cpu: "1000m", memory: "1Gi" } })
    .build(),
  config,
);

/** What the API server would hand back: our fields plus defaults, status and bookkeeping. */
function observedOf(obj: KubernetesObject): KubernetesObject & Record<string, unknown> {
  const o = structuredClone(obj) as KubernetesObject & Record<string, unknown>;
  o.metadata = {
    ...o.metadata,
    uid: "server-uid",
    resourceVersion: "42",
    labels: { ...o.metadata?.labels, "kubernetes.io/metadata.name": "x" },
    annotations: { ...o.metadata?.annotations, "deployment.kubernetes.io/revision": "1" },
  };
  o.status = { observedGeneration: 1 };
  delete o.apiVersion;
  delete o.kind;
  return o;
}

function deployment(objects: KubernetesObject[]): V1Deployment {
  return structuredClone(objects.find((o) => o.kind === "Deployment")) as V1Deployment;
}

describe("drift", () => {
  it.each(desired.map((o) => [o.kind, o] as const))(
    "finds none in an untouched %s with server additions",
    (_kind, obj) => {
      const observed = observedOf(obj);
      expect(findDrift(obj, observed)).toEqual([]);
      expect(needsApply(obj, observed)).toBe(false);
    },
  );

  it("ignores server defaults added inside lists and canonicalised quantities", () => {
    const want = deployment(desired);
    const got = deployment(desired);
    const c = got.spec!.template.spec!.containers[0]!;
    c.terminationMessagePath = "/dev/termination-log";
    c.resources = { requests: { cpu: "1", memory: "1024Mi" } };
    got.spec!.template.spec!.dnsPolicy = "ClusterFirst";
    expect(findDrift(want, got)).toEqual([]);
  });

  it("accepts client-node's typed field names (_from, _default) for the wire names it renders", () => {
    for (const kind of ["NetworkPolicy", "LimitRange"]) {
      const obj = renderTenant(tenant().withQuota({ pods: 3 }).build(), config).find(
        (o) => o.kind === kind,
      )!;
      const wire = JSON.stringify(obj);
      expect(wire).toMatch(/"(from|default)":/);
      const typed = JSON.parse(wire.replace(/"(from|default)":/g, '"_$1":')) as KubernetesObject;
      expect(findDrift(obj, typed), kind).toEqual([]);
      const edited = JSON.parse(
        wire
          .replace(/"(from|default)":/g, '"_$1":')
          .replace("256Mi", "1Gi")
          .replace("ingress-nginx", "kube-system"),
      ) as KubernetesObject;
      expect(findDrift(obj, edited), kind).not.toEqual([]);
    }
  });

  it("tolerates list entries another manager added to a keyed list", () => {
    const got = deployment(desired);
    got.spec!.template.spec!.containers[0]!.env!.push({ name: "EXTRA", value: "1" });
    expect(findDrift(deployment(desired), got)).toEqual([]);
  });

  it.each([
    {
      what: "a hand-scaled Deployment",
      edit: (d: V1Deployment) => void (d.spec!.replicas = 5),
      path: "spec.replicas",
    },
    {
      what: "a changed env value",
      edit: (d: V1Deployment) =>
        void (d.spec!.template.spec!.containers[0]!.env![0]!.value = "other"),
      path: "spec.template.spec.containers[name=service].env[name=TENANT].value",
    },
    {
      what: "a removed volume",
      edit: (d: V1Deployment) => void d.spec!.template.spec!.volumes!.splice(0, 1),
      path: "spec.template.spec.volumes[name=branding]",
    },
    {
      what: "a weakened security context",
      edit: (d: V1Deployment) =>
        void (d.spec!.template.spec!.containers[0]!.securityContext!.allowPrivilegeEscalation = true),
      path: "spec.template.spec.containers[name=service].securityContext.allowPrivilegeEscalation",
    },
    {
      what: "a removed tenant label",
      edit: (d: V1Deployment) => void delete d.metadata!.labels!["platform.tenancy.dev/tenant"],
      path: "metadata.labels.platform.tenancy.dev/tenant",
    },
  ])("reports $what", ({ edit, path }) => {
    const want = deployment(desired);
    const got = deployment(desired);
    edit(got);
    expect(findDrift(want, got)).toEqual([path]);
    expect(needsApply(want, got)).toBe(true);
  });

  it("reports edited ConfigMap data", () => {
    const cm = desired.find((o) => o.kind === "ConfigMap")! as KubernetesObject & {
      data: Record<string, string>;
    };
    const got = structuredClone(cm);
    got.data.displayName = "Hacked";
    expect(findDrift(cm, got)).toEqual(["data.displayName"]);
  });

  it("asks for an apply when the object is missing or our intent changed", () => {
    const cm = desired.find((o) => o.kind === "ConfigMap")!;
    expect(needsApply(cm, undefined)).toBe(true);
    const old = structuredClone(cm);
    old.metadata!.annotations![APPLIED_HASH_ANNOTATION] = "older";
    expect(needsApply(cm, old)).toBe(true);
  });
});

describe("kubectl rollout restart", () => {
  it("is not drift: the restartedAt annotation on the pod template is left alone", () => {
    const d = deployment(desired);
    const observed = observedOf(d) as V1Deployment & KubernetesObject;
    observed.spec!.template.metadata = {
      ...observed.spec!.template.metadata,
      annotations: {
        ...observed.spec!.template.metadata?.annotations,
        "kubectl.kubernetes.io/restartedAt": "2026-06-01T12:00:00Z",
      },
    };
    expect(findDrift(d, observed)).toEqual([]);
    expect(needsApply(d, observed)).toBe(false);
  });
});
