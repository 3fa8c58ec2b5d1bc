import type { KubernetesObject } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { childUpdateMatters } from "./predicates.js";

const object = (kind: string, extra: Record<string, unknown> = {}): KubernetesObject =>
  ({
    apiVersion: "v1",
    kind,
    metadata: { name: "x", namespace: "tenant-a", resourceVersion: "1", labels: { a: "1" } },
    spec: { replicas: 1 },
    ...extra,
  }) as KubernetesObject;

const bump = (obj: KubernetesObject, change: Record<string, unknown> = {}): KubernetesObject => ({
  ...obj,
  metadata: { ...obj.metadata, resourceVersion: "2" },
  ...change,
});

describe("childUpdateMatters", () => {
  it("ignores an update that changed only the resourceVersion", () => {
    const old = object("Service");
    expect(childUpdateMatters(old, bump(old))).toBe(false);
  });

  it("ignores a status change of a kind whose status the reconcile never reads", () => {
    const old = object("Service", { status: { loadBalancer: {} } });
    const lb = { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } };
    expect(childUpdateMatters(old, bump(old, { status: lb }))).toBe(false);
  });

  it("reacts to a claim's phase only: the Tenant names a Pending data claim", () => {
    const old = object("PersistentVolumeClaim", { status: { phase: "Pending" } });
    expect(childUpdateMatters(old, bump(old, { status: { phase: "Bound" } }))).toBe(true);
    const bound = object("PersistentVolumeClaim", { status: { phase: "Bound" } });
    const resized = { phase: "Bound", capacity: { storage: "2Gi" } };
    expect(childUpdateMatters(bound, bump(bound, { status: resized }))).toBe(false);
  });

  it("reacts to a Deployment's status: readiness decides the Tenant's Ready", () => {
    const old = object("Deployment", { status: { readyReplicas: 0 } });
    expect(childUpdateMatters(old, bump(old, { status: { readyReplicas: 1 } }))).toBe(true);
  });

  it("reacts to an Ingress's status: its load balancer is the DNS target of last resort", () => {
    const old = object("Ingress", { status: {} });
    const lb = { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } };
    expect(childUpdateMatters(old, bump(old, { status: lb }))).toBe(true);
  });

  it("reacts to drift in spec, data or labels", () => {
    const old = object("ConfigMap", { data: { displayName: "A" } });
    expect(childUpdateMatters(old, bump(old, { data: { displayName: "B" } }))).toBe(true);
    expect(childUpdateMatters(old, bump(old, { spec: { replicas: 3 } }))).toBe(true);
    const relabelled = bump(old);
    relabelled.metadata!.labels = { a: "2" };
    expect(childUpdateMatters(old, relabelled)).toBe(true);
  });

  it("reacts when the object was not cached before", () => {
    expect(childUpdateMatters(undefined, object("Service"))).toBe(true);
  });
});
