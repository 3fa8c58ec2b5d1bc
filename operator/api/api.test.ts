import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import yaml from "js-yaml";
import { describe, expect, it } from "vitest";
import { generateApiFiles } from "../../scripts/gen-api.js";
import { CRD_PATH } from "./codegen.js";
import { tenantRootSchema } from "./crd.js";
import type { SchemaProps } from "./schema-types.js";

const root = resolve(import.meta.dirname, "../..");

interface Finding {
  path: string;
  problem: string;
}

/** Problems of one schema node on its own (children are audited separately). */
function nodeProblems(schema: SchemaProps, isRoot: boolean): string[] {
  const problems: string[] = [];
  const intOrString = schema["x-kubernetes-int-or-string"] === true;
  const check = (bad: boolean, problem: string): void => void (bad && problems.push(problem));
  check(!schema.type && !intOrString, "has no type");
  check(!schema.description, "has no description");
  check(!!schema.anyOf && !intOrString, "uses anyOf outside the int-or-string pattern");
  check(
    intOrString && JSON.stringify(schema.anyOf) !== '[{"type":"integer"},{"type":"string"}]',
    "int-or-string without the anyOf [integer, string] pattern",
  );
  check(
    (schema.type === "string" || intOrString) && schema.maxLength === undefined && !isRoot,
    "string without maxLength",
  );
  check(
    schema.type === "array" && (!schema.items || schema.maxItems === undefined),
    "array without items or maxItems",
  );
  for (const rule of schema["x-kubernetes-validations"] ?? []) {
    check(!rule.message, `CEL rule without message: ${rule.rule}`);
  }
  return problems;
}

/** Everything that makes a schema non-structural or unfriendly, as a list of findings. */
function auditSchema(schema: SchemaProps, path: string, findings: Finding[]): void {
  for (const problem of nodeProblems(schema, path === "")) findings.push({ path, problem });
  for (const [key, prop] of Object.entries(schema.properties ?? {})) {
    const childPath = path ? `${path}.${key}` : key;
    if (["apiVersion", "kind", "metadata"].includes(childPath)) continue;
    auditSchema(prop, childPath, findings);
  }
  if (schema.items) auditSchema(schema.items, `${path}[]`, findings);
}

describe("the Tenant API source", () => {
  it("matches the committed CRD YAML and TypeScript types (run npm run gen:api if not)", async () => {
    for (const file of await generateApiFiles(root)) {
      const committed = await readFile(resolve(root, file.path), "utf8");
      expect(committed, `${file.path} is out of date: run npm run gen:api`).toBe(file.content);
    }
  });

  it("is a structural schema with a description and bounds on every field", () => {
    const findings: Finding[] = [];
    auditSchema(tenantRootSchema, "", findings);
    expect(findings).toEqual([]);
  });

  it("names the field it is about in every CEL rule message", () => {
    const messages: string[] = [];
    const collect = (schema: SchemaProps): void => {
      for (const rule of schema["x-kubernetes-validations"] ?? []) messages.push(rule.message);
      Object.values(schema.properties ?? {}).forEach(collect);
      if (schema.items) collect(schema.items);
    };
    collect(tenantRootSchema);
    expect(messages.length).toBeGreaterThan(10);
    for (const message of messages) expect(message).toMatch(/^(spec|metadata)\.[a-zA-Z.]+ /);
  });

  it("describes a cluster-scoped, status-enabled CRD with the tn short name and printer columns", async () => {
    const crd = yaml.load(await readFile(resolve(root, CRD_PATH), "utf8")) as {
      spec: {
        scope: string;
        names: { shortNames: string[] };
        versions: {
          name: string;
          subresources: Record<string, unknown>;
          additionalPrinterColumns: { name: string; jsonPath: string; priority?: number }[];
        }[];
      };
    };
    expect(crd.spec.scope).toBe("Cluster");
    expect(crd.spec.names.shortNames).toEqual(["tn"]);
    const [version] = crd.spec.versions;
    expect(version?.name).toBe("v1alpha1");
    expect(version?.subresources).toEqual({ status: {} });
    const columns = version?.additionalPrinterColumns.filter((c) => !c.priority).map((c) => c.name);
    expect(columns).toEqual(["Host", "Ready", "Replicas", "Age"]);
    const ready = version?.additionalPrinterColumns.find((c) => c.name === "Ready");
    expect(ready?.jsonPath).toBe('.status.conditions[?(@.type=="Ready")].status');
  });
});
