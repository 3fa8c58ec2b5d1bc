// The Tenant CRD against a real kube-apiserver: the OpenAPI schema and the CEL rules reject
// invalid tenants at apply time with messages that name the field, defaults are filled in,
// the examples apply, and kubectl shows the printer columns and explain text.
//
// Invalid and example manifests go through `kubectl create --dry-run=server`: the full
// admission and validation path, nothing stored, so no clean-up and no operator involved.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import yaml from "js-yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { uniqueName, waitUntil } from "../cluster/testing.js";
import { BASE_SPEC, INVALID_CASES, type Spec } from "./tenant-validation-cases.js";
import { ROOT as root, installTenantCrd, kubectl, type Run } from "./tenant-validation-helpers.js";

/** A Tenant with BASE_SPEC overridden by `spec` (undefined removes a key; __noSpec drops spec). */
function tenantManifest(name: string, spec: Spec): string {
  const merged: Spec = { ...BASE_SPEC, ...spec };
  for (const key of Object.keys(merged)) if (merged[key] === undefined) delete merged[key];
  const noSpec = merged.__noSpec === true;
  delete merged.__noSpec;
  return JSON.stringify({
    apiVersion: "platform.tenancy.dev/v1alpha1",
    kind: "Tenant",
    metadata: { name },
    ...(noSpec ? {} : { spec: merged }),
  });
}

function dryRunCreate(manifest: string): Promise<Run> {
  return kubectl(["create", "--dry-run=server", "-o", "json", "-f", "-"], manifest);
}

beforeAll(async () => {
  await installTenantCrd();
  await waitUntil("dry-run creates of tenants to pass", async () => {
    return (await dryRunCreate(tenantManifest("probe", {}))).code === 0;
  });
});

describe("the Tenant CRD on a real API server", () => {
  it.each(INVALID_CASES.map((c) => [c.name, c] as const))(
    "rejects a tenant with %s",
    async (_name, c) => {
      const run = await dryRunCreate(tenantManifest(c.metadataName ?? "invalid", c.spec ?? {}));
      expect(run.code, run.stdout).not.toBe(0);
      for (const phrase of c.expect) expect(run.stderr).toContain(phrase);
    },
  );

  it("accepts boundary values (a 500-character welcome, maxReplicas == minReplicas, zero quota) and markup in text, which the service escapes", async () => {
    const run = await dryRunCreate(
      tenantManifest("boundaries", {
        host: "a.b",
        branding: {
          welcomeMessage: "é".repeat(500),
          primaryColor: "#A0b1C2",
          logoURL: "https://x.example/l.png",
        },
        database: { mode: "external", secretRef: { name: "db" } },
        autoscaling: { minReplicas: 3, maxReplicas: 3 },
        quota: { cpu: 0, memory: "0", pods: 0, storage: "0Gi" },
        resources: { requests: { cpu: 1 }, limits: { cpu: "1000m" } },
        dns: { targets: ["192.0.2.1", "2001:db8::1"] },
      }),
    );
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
  });

  it("fills in the defaults of a minimal tenant", async () => {
    const run = await dryRunCreate(tenantManifest("defaults", {}));
    expect(run.code, run.stderr).toBe(0);
    const created = JSON.parse(run.stdout) as { spec: Spec };
    expect(created.spec).toEqual({
      ...BASE_SPEC,
      replicas: 1,
      services: ["calculator", "users", "counter"],
      suspend: false,
      deletionPolicy: "Delete",
    });
  });

  it("fills in nested defaults when the parent is given", async () => {
    const run = await dryRunCreate(
      tenantManifest("nested-defaults", {
        autoscaling: { maxReplicas: 4 },
        tls: { issuerRef: { name: "le" } },
        dns: {},
        database: { mode: "external", secretRef: { name: "db" } },
      }),
    );
    expect(run.code, run.stderr).toBe(0);
    const spec = (JSON.parse(run.stdout) as { spec: Spec }).spec;
    expect(spec.autoscaling).toEqual({
      minReplicas: 1,
      maxReplicas: 4,
      targetCPUUtilizationPercentage: 60,
    });
    expect(spec.tls).toEqual({ enabled: true, issuerRef: { name: "le", kind: "ClusterIssuer" } });
    expect(spec.dns).toEqual({ enabled: true, ttl: 300 });
    expect(spec.database).toEqual({ mode: "external", secretRef: { name: "db", key: "uri" } });
  });

  it.each(["acme.yaml", "globex.yaml", "initech.yaml"])(
    "accepts examples/tenants/%s",
    async (file) => {
      const text = await readFile(join(root, "examples/tenants", file), "utf8");
      expect((yaml.load(text) as { kind: string }).kind).toBe("Tenant");
      const run = await dryRunCreate(text);
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
    },
  );

  it("lists tenants with the HOST, READY, REPLICAS and AGE columns, by the short name tn", async () => {
    const name = uniqueName("columns");
    const created = await kubectl(
      ["create", "-f", "-"],
      tenantManifest(name, { host: `${name}.example.com` }),
    );
    expect(created.code, created.stderr).toBe(0);
    try {
      const run = await kubectl(["get", "tn", name]);
      expect(run.code, run.stderr).toBe(0);
      const [header, row] = run.stdout.trim().split("\n");
      expect(header?.split(/\s+/)).toEqual(["NAME", "HOST", "READY", "REPLICAS", "AGE"]);
      expect(row).toContain(`${name}.example.com`);
    } finally {
      await kubectl(["delete", "tenant", name, "--wait=false"]);
    }
  });

  it("explains every field with its description", async () => {
    await waitUntil("kubectl explain to know Tenant", async () => {
      return (await kubectl(["explain", "tenant.spec.host"])).code === 0;
    });
    const host = await kubectl(["explain", "tenant.spec.host"]);
    expect(host.stdout).toContain("The public DNS name of the tenant");
    const spec = await kubectl(["explain", "tenant.spec"]);
    for (const field of ["displayName", "autoscaling", "branding", "database", "deletionPolicy"]) {
      expect(spec.stdout).toContain(field);
    }
  });
});
