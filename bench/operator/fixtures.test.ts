import { describe, expect, it } from "vitest";
import { renderTenant } from "../../operator/tenant/render.js";
import {
  BENCH_RENDER_CONFIG,
  BENCH_STORAGE_CLASS,
  benchTenant,
  isConflictError,
  tenantName,
  volumeFor,
} from "./fixtures.js";
import { collectionPath } from "./raw-client.js";

describe("bench:operator fixtures", () => {
  it("names tenants by phase with a zero-padded index, so the two phases never collide", () => {
    expect(tenantName("operator", 7)).toBe("op-00007");
    expect(tenantName("limit", 7)).toBe("lim-00007");
  });

  it("pre-binds a volume of the bench class to the data claim the tenant renders", () => {
    const tenant = benchTenant("operator", 1);
    tenant.metadata.uid = "00000000-0000-0000-0000-000000000001";
    const children = renderTenant(tenant, BENCH_RENDER_CONFIG);
    const claim = children.find((o) => o.kind === "PersistentVolumeClaim")!;
    const volume = volumeFor(children)!;
    expect(volume.spec?.claimRef).toMatchObject({
      name: claim.metadata!.name,
      namespace: claim.metadata!.namespace,
    });
    expect(volume.spec?.storageClassName).toBe(BENCH_STORAGE_CLASS);
    expect((claim as { spec: { storageClassName?: string } }).spec.storageClassName).toBe(
      BENCH_STORAGE_CLASS,
    );
  });

  it("makes no volume when no claim is rendered", () => {
    expect(
      volumeFor([{ apiVersion: "v1", kind: "Namespace", metadata: { name: "x" } }]),
    ).toBeUndefined();
  });
});

describe("isConflictError", () => {
  it("recognises a 409 from client-node (code) or a raw response (statusCode), nothing else", () => {
    expect(isConflictError({ code: 409 })).toBe(true);
    expect(isConflictError({ statusCode: 409 })).toBe(true);
    expect(isConflictError({ code: 404 })).toBe(false);
    expect(isConflictError(null)).toBe(false);
  });
});

describe("collectionPath", () => {
  const ns = { name: "x", namespace: "tenant-a" };
  it("builds core, grouped, namespaced and cluster-scoped collection paths", () => {
    expect(collectionPath({ apiVersion: "v1", kind: "Namespace", metadata: { name: "a" } })).toBe(
      "/api/v1/namespaces",
    );
    expect(collectionPath({ apiVersion: "v1", kind: "ConfigMap", metadata: ns })).toBe(
      "/api/v1/namespaces/tenant-a/configmaps",
    );
    expect(collectionPath({ apiVersion: "apps/v1", kind: "Deployment", metadata: ns })).toBe(
      "/apis/apps/v1/namespaces/tenant-a/deployments",
    );
  });

  it("refuses a kind the operator does not create, or a namespaced object without namespace", () => {
    expect(() => collectionPath({ apiVersion: "v1", kind: "Secret", metadata: ns })).toThrow(
      /no known resource/,
    );
    expect(() =>
      collectionPath({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "x" } }),
    ).toThrow(/has no namespace/);
  });
});
