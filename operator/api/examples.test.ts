import { readFile, readdir } from "node:fs/promises";
import { resolve } from "node:path";
import { Ajv } from "ajv";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { renderTenant } from "../tenant/render.js";
import { DEFAULT_RENDER_CONFIG } from "../tenant/render-config.js";
import { tenantRootSchema } from "./crd.js";
import type { Tenant } from "./types.js";

const dir = resolve(import.meta.dirname, "../../examples/tenants");
// The OpenAPI part of the CRD schema (CEL rules need a real API server: see test/integration).
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true, useDefaults: true });
const validate = ajv.compile(tenantRootSchema);

const files = (await readdir(dir)).filter((f) => f.endsWith(".yaml")).sort();

describe("examples/tenants", () => {
  it("has the three documented examples", () => {
    expect(files).toEqual(["acme.yaml", "globex.yaml", "initech.yaml"]);
  });

  it.each(files)("%s is a valid Tenant that renders", async (file) => {
    const doc = yaml.load(await readFile(resolve(dir, file), "utf8")) as Tenant;
    expect(doc.apiVersion).toBe("platform.tenancy.dev/v1alpha1");
    expect(doc.kind).toBe("Tenant");
    const ok = validate(doc);
    expect(validate.errors ?? [], file).toEqual([]);
    expect(ok).toBe(true);
    doc.metadata.uid = "uid";
    expect(renderTenant(doc, DEFAULT_RENDER_CONFIG).length).toBeGreaterThan(5);
  });

  it("rejects, even without CEL, a spec that breaks the OpenAPI part of the schema", () => {
    const bad = {
      apiVersion: "platform.tenancy.dev/v1alpha1",
      kind: "Tenant",
      metadata: { name: "x" },
      spec: { host: "x.example.com", replicas: -1 },
    };
    expect(validate(bad)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath).sort()).toEqual(["/spec", "/spec/replicas"]);
  });
});
