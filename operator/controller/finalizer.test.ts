import { describe, expect, it } from "vitest";
import type { KubernetesObject } from "@kubernetes/client-node";
import { addFinalizerPatch, decideFinalizer, removeFinalizerPatch } from "./finalizer.js";

const F = "platform.tenancy.dev/cleanup";

function tenant(opts: { finalizers?: string[]; deleting?: boolean } = {}): KubernetesObject {
  return {
    apiVersion: "platform.tenancy.dev/v1alpha1",
    kind: "Tenant",
    metadata: {
      name: "acme",
      finalizers: opts.finalizers,
      deletionTimestamp: opts.deleting ? new Date("2026-01-01T00:00:00Z") : undefined,
    },
  };
}

describe("decideFinalizer", () => {
  it.each([
    ["adds the finalizer to a live tenant without it", {}, "add"],
    ["applies a live tenant that carries it", { finalizers: [F] }, "apply"],
    [
      "cleans up a deleting tenant that carries it",
      { finalizers: ["other", F], deleting: true },
      "cleanup",
    ],
    [
      "does nothing for a deleting tenant without it",
      { finalizers: ["other"], deleting: true },
      "none",
    ],
    ["ignores other controllers' finalizers", { finalizers: ["other"] }, "add"],
  ] as const)("%s", (_name, opts, expected) => {
    expect(decideFinalizer(tenant(opts as { finalizers?: string[]; deleting?: boolean }), F)).toBe(
      expected,
    );
  });
});

describe("finalizer patches", () => {
  it("tests that the list is absent before creating it", () => {
    expect(addFinalizerPatch(undefined, F)).toEqual([
      { op: "test", path: "/metadata/finalizers", value: null },
      { op: "add", path: "/metadata/finalizers", value: [F] },
    ]);
  });

  it("tests the whole existing list before appending, so a concurrent edit conflicts", () => {
    expect(addFinalizerPatch(["other"], F)).toEqual([
      { op: "test", path: "/metadata/finalizers", value: ["other"] },
      { op: "add", path: "/metadata/finalizers/-", value: F },
    ]);
  });

  it("removes only our entry, at the index it was seen, after testing it is still there", () => {
    expect(removeFinalizerPatch(["a", F, "b"], F)).toEqual([
      { op: "test", path: "/metadata/finalizers/1", value: F },
      { op: "remove", path: "/metadata/finalizers/1" },
    ]);
  });

  it("has nothing to remove when the finalizer is absent", () => {
    expect(removeFinalizerPatch(["a"], F)).toBeUndefined();
    expect(removeFinalizerPatch(undefined, F)).toBeUndefined();
  });
});
