// The API server behaves like a real one: CRDs are served, server-side apply tracks field
// managers and reports conflicts, and writes (only writes) land in the audit log.
import fs from "node:fs";
import {
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubernetesObjectApi,
  PatchStrategy,
  type V1ConfigMap,
} from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { testCluster, uniqueName, useTestNamespace, waitUntil } from "./testing.js";

const ns = useTestNamespace("api");

describe("custom resources", () => {
  it("serves a newly installed CRD and stores its objects", async () => {
    const group = `${uniqueName("g")}.harness.tenant-operator.dev`;
    const crds = ns.kc.makeApiClient(ApiextensionsV1Api);
    const name = `widgets.${group}`;
    await crds.createCustomResourceDefinition({
      body: {
        metadata: { name, labels: ns.labels },
        spec: {
          group,
          scope: "Namespaced",
          names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
          versions: [
            {
              name: "v1",
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: "object",
                  properties: {
                    spec: { type: "object", properties: { size: { type: "integer", minimum: 1 } } },
                  },
                },
              },
            },
          ],
        },
      },
    });
    try {
      await waitUntil(`CRD ${name} Established`, async () => {
        const crd = await crds.readCustomResourceDefinition({ name });
        return !!crd.status?.conditions?.some(
          (c) => c.type === "Established" && c.status === "True",
        );
      });
      const objects = ns.kc.makeApiClient(CustomObjectsApi);
      const where = { group, version: "v1", namespace: ns.name, plural: "widgets" };
      // Discovery of a new group can lag behind Established by a moment.
      await waitUntil("first Widget created", async () => {
        await objects.createNamespacedCustomObject({
          ...where,
          body: {
            apiVersion: `${group}/v1`,
            kind: "Widget",
            metadata: { name: "w1" },
            spec: { size: 3 },
          },
        });
        return true;
      });
      const list = (await objects.listNamespacedCustomObject(where)) as {
        items: { metadata: { name: string }; spec: { size: number } }[];
      };
      expect(list.items.map((w) => [w.metadata.name, w.spec.size])).toEqual([["w1", 3]]);
      // The schema is enforced: size must be >= 1.
      await expect(
        objects.createNamespacedCustomObject({
          ...where,
          body: {
            apiVersion: `${group}/v1`,
            kind: "Widget",
            metadata: { name: "w2" },
            spec: { size: 0 },
          },
        }),
      ).rejects.toMatchObject({ code: 422 });
    } finally {
      await crds.deleteCustomResourceDefinition({ name });
    }
  });
});

describe("server-side apply", () => {
  const configMap = (
    name: string,
    color: string,
  ): V1ConfigMap & { apiVersion: string; kind: string } => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: ns.name },
    data: { color },
  });

  it("records the field manager and answers a conflicting manager with 409 unless forced", async () => {
    const api = KubernetesObjectApi.makeApiClient(ns.kc);
    const apply = (obj: V1ConfigMap, manager: string, force: boolean): Promise<V1ConfigMap> =>
      api.patch(obj, undefined, undefined, manager, force, PatchStrategy.ServerSideApply);

    const created = await apply(configMap("ssa", "blue"), "harness-a", false);
    const managers = (created.metadata?.managedFields ?? []).map((m) => [m.manager, m.operation]);
    expect(managers).toContainEqual(["harness-a", "Apply"]);

    await expect(apply(configMap("ssa", "red"), "harness-b", false)).rejects.toMatchObject({
      code: 409,
    });
    const stored = await ns.kc
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ name: "ssa", namespace: ns.name });
    expect(stored.data).toEqual({ color: "blue" });

    const forced = await apply(configMap("ssa", "red"), "harness-b", true);
    expect(forced.data).toEqual({ color: "red" });
    const owners = (forced.metadata?.managedFields ?? []).map((m) => m.manager);
    expect(owners).toContain("harness-b");
    expect(owners).not.toContain("harness-a");
  });
});

interface AuditEvent {
  verb: string;
  stage: string;
  level: string;
  objectRef?: { resource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
}

function auditEvents(file: string): AuditEvent[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as AuditEvent);
}

describe("audit log", () => {
  it("records creates, updates and deletes at Metadata level, and no reads", async () => {
    const { auditLogPath } = testCluster();
    expect(auditLogPath, "the run's cluster must be one of this harness").toBeTruthy();
    const core = ns.kc.makeApiClient(CoreV1Api);
    const name = uniqueName("audited");
    await core.createNamespacedConfigMap({
      namespace: ns.name,
      body: { metadata: { name }, data: { a: "1" } },
    });
    await core.readNamespacedConfigMap({ name, namespace: ns.name });
    await core.replaceNamespacedConfigMap({
      name,
      namespace: ns.name,
      body: { metadata: { name }, data: { a: "2" } },
    });
    await core.deleteNamespacedConfigMap({ name, namespace: ns.name });

    const ours = (): AuditEvent[] =>
      auditEvents(auditLogPath!).filter(
        (e) => e.objectRef?.name === name && e.objectRef.namespace === ns.name,
      );
    await waitUntil("audit events of the ConfigMap", async () => ours().length >= 3, 30_000);
    const events = ours();
    expect(events.map((e) => e.verb).sort()).toEqual(["create", "delete", "update"]);
    for (const e of events) {
      expect(e.level).toBe("Metadata");
      expect(e.stage).toBe("ResponseComplete");
      expect(e.objectRef?.resource).toBe("configmaps");
    }
  });
});
