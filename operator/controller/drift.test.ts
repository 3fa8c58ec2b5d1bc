import { describe, expect, it } from "vitest";
import type { KubernetesObject } from "@kubernetes/client-node";
import { decideApply, mismatchedPaths } from "./drift.js";

const H = "platform.tenancy.dev/applied-hash";

function deployment(
  replicas: number,
  hash = "h1",
  extra: Record<string, unknown> = {},
): KubernetesObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "tenant",
      namespace: "tenant-acme",
      labels: { a: "1" },
      annotations: { [H]: hash },
    },
    spec: { replicas, template: { spec: { containers: [{ name: "service", image: "img" }] } } },
    ...extra,
  } as KubernetesObject;
}

describe("decideApply", () => {
  it("creates a missing child", () => {
    expect(decideApply(deployment(1), undefined)).toBe("create");
  });

  it("updates a child whose applied hash differs", () => {
    expect(decideApply(deployment(1, "h2"), deployment(1, "h1"))).toBe("update");
  });

  it("leaves alone a child that carries the hash and every desired field, whatever the server added", () => {
    const observed = deployment(1) as KubernetesObject & { spec: Record<string, unknown> };
    (observed.metadata!.labels as Record<string, string>).extra = "x";
    observed.spec.strategy = { type: "RollingUpdate" };
    (
      observed.spec.template as { spec: { containers: Record<string, unknown>[] } }
    ).spec.containers[0]!.terminationMessagePath = "/dev/x";
    expect(decideApply(deployment(1), observed)).toBe("none");
  });

  it("sees a hand-scaled Deployment as drift even though its hash is unchanged", () => {
    expect(decideApply(deployment(1), deployment(3))).toBe("drift");
  });

  it("ignores paths learned as server-normalized", () => {
    expect(
      decideApply(
        deployment(1),
        deployment(3),
        new Set(mismatchedPaths(deployment(1), deployment(3))),
      ),
    ).toBe("none");
  });
});

describe("mismatchedPaths", () => {
  it("reports a hand-edited ConfigMap value", () => {
    const desired = { apiVersion: "v1", kind: "ConfigMap", metadata: {}, data: { k: "v" } };
    const observed = { apiVersion: "v1", kind: "ConfigMap", metadata: {}, data: { k: "edited" } };
    expect(mismatchedPaths(desired, observed)).toHaveLength(1);
  });
});
