import { describe, expect, it } from "vitest";
import { specSchema } from "../api/schema.js";
import type { SchemaProps } from "../api/schema-types.js";
import { SPEC_DEFAULTS, resolveTenant } from "./spec.js";
import { renderConfig, tenant } from "./testing/fixtures.js";

function defaultAt(path: string): unknown {
  let node: SchemaProps | undefined = specSchema;
  for (const key of path.split(".")) node = node?.properties?.[key];
  return node?.default;
}

describe("the resolved spec", () => {
  it.each([
    ["replicas", SPEC_DEFAULTS.replicas],
    ["autoscaling.minReplicas", SPEC_DEFAULTS.minReplicas],
    ["autoscaling.targetCPUUtilizationPercentage", SPEC_DEFAULTS.targetCPUUtilizationPercentage],
    ["services", SPEC_DEFAULTS.services],
    ["tls.enabled", SPEC_DEFAULTS.tlsEnabled],
    ["tls.issuerRef.kind", SPEC_DEFAULTS.issuerKind],
    ["dns.enabled", SPEC_DEFAULTS.dnsEnabled],
    ["dns.ttl", SPEC_DEFAULTS.ttl],
    ["database.mode", SPEC_DEFAULTS.databaseMode],
    ["database.secretRef.key", SPEC_DEFAULTS.secretKey],
    ["suspend", SPEC_DEFAULTS.suspend],
    ["deletionPolicy", SPEC_DEFAULTS.deletionPolicy],
  ])("defaults %s exactly as the CRD does", (path, value) => {
    expect(defaultAt(path)).toEqual(value);
  });

  it("takes image, issuer, IngressClass and storage from the operator config when the spec is silent", () => {
    const config = renderConfig({
      defaultImage: "img:1",
      defaultIssuer: { name: "le", kind: "ClusterIssuer" },
      ingressClass: "nginx",
      defaultStorageSize: "2Gi",
      storageClassName: "standard",
    });
    const r = resolveTenant(tenant().build(), config);
    expect(r.image).toBe("img:1");
    expect(r.tls.issuer).toEqual({ name: "le", kind: "ClusterIssuer" });
    expect(r.ingressClassName).toBe("nginx");
    expect(r.database).toEqual({
      secretRef: undefined,
      storageSize: "2Gi",
      storageClassName: "standard",
    });
  });

  it("ignores a secretRef unless the database is external", () => {
    const t = tenant().build();
    t.spec.database = { mode: "embedded", secretRef: { name: "x" } };
    expect(resolveTenant(t, renderConfig()).database.secretRef).toBeUndefined();
  });
});
