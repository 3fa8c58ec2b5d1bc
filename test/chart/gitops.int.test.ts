// examples/gitops, as Argo CD and Flux would build it: `kubectl kustomize` (the kubectl of the
// local control plane, built by `npm run cluster:build`) renders Tenants that satisfy the
// CRD's OpenAPI schema and render into children; the Argo CD and Flux manifests point at it
// and wait for exactly those Tenants. (The API server's own verdict, CEL rules included, is
// in chart.cluster.test.ts.)
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { tenantRootSchema } from "../../operator/api/crd.js";
import type { Tenant } from "../../operator/api/types.js";
import { renderTenant } from "../../operator/tenant/render.js";
import { DEFAULT_RENDER_CONFIG } from "../../operator/tenant/render-config.js";
import { defaultBinDir } from "../cluster/manifest.js";
import { parseManifests, REPO_ROOT, type Manifest } from "./helm.js";

const GITOPS = path.join(REPO_ROOT, "examples", "gitops");

function kustomize(): Manifest[] {
  const result = spawnSync(path.join(defaultBinDir(), "kubectl"), ["kustomize", GITOPS], {
    encoding: "utf8",
    timeout: 60_000,
  });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`kubectl kustomize failed: ${result.stderr}`);
  return parseManifests(result.stdout);
}

const readManifests = (file: string) =>
  parseManifests(readFileSync(path.join(GITOPS, file), "utf8"));

describe("examples/gitops", () => {
  const tenants = kustomize() as unknown as Tenant[];
  const names = tenants.map((t) => t.metadata.name).sort();

  it("renders only Tenants, each valid against the CRD's OpenAPI schema", () => {
    expect(tenants.length).toBeGreaterThanOrEqual(3);
    const validate = new Ajv({ strict: false, validateFormats: false, allErrors: true }).compile(
      tenantRootSchema,
    );
    for (const tenant of tenants) {
      expect(tenant.kind).toBe("Tenant");
      validate(tenant);
      expect(validate.errors ?? [], tenant.metadata.name).toEqual([]);
    }
  });

  it("applies the shared settings to every Tenant", () => {
    for (const tenant of tenants) {
      expect(tenant.metadata.labels?.["platform.tenancy.dev/source"]).toBe("gitops");
      expect(tenant.spec.tls?.issuerRef).toEqual({
        kind: "ClusterIssuer",
        name: "letsencrypt-prod",
      });
    }
  });

  it("renders Tenants the operator can turn into children", () => {
    for (const tenant of tenants) {
      const objects = renderTenant(
        { ...tenant, metadata: { ...tenant.metadata, uid: "uid" } },
        DEFAULT_RENDER_CONFIG,
      );
      expect(objects.map((o) => o.kind)).toContain("Deployment");
    }
  });

  it("is what the Argo CD Application syncs", () => {
    const app = readManifests("argocd/application.yaml")[0] as {
      spec: { source: { path: string } };
    } & Manifest;
    expect(app.kind).toBe("Application");
    expect(app.spec.source.path).toBe("examples/gitops");
  });

  it("is what the Flux Kustomization syncs, waiting for every Tenant to be Ready", () => {
    const flux = readManifests("flux/kustomization.yaml").find(
      (m) => m.kind === "Kustomization",
    ) as unknown as {
      spec: { path: string; healthChecks: { kind: string; name: string }[] };
    };
    expect(flux.spec.path).toBe("./examples/gitops");
    expect(flux.spec.healthChecks.every((c) => c.kind === "Tenant")).toBe(true);
    expect(flux.spec.healthChecks.map((c) => c.name).sort()).toEqual(names);
  });
});
