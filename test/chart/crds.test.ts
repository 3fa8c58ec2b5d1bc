// The chart ships a copy of the generated CRDs (crds/ -> charts/tenant-operator/crds/, by
// scripts/sync-chart-crds.sh): a real copy, since `helm package` and GitOps tools may read the
// chart directory alone. This fails when the copy and the source drift apart.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CHART_DIR, REPO_ROOT } from "./helm.js";

const SOURCE = path.join(REPO_ROOT, "crds");
const COPY = path.join(CHART_DIR, "crds");
const yamlFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => f.endsWith(".yaml"))
    .sort();
const FIX = "run bash scripts/sync-chart-crds.sh after npm run gen:api";

describe("the chart's CRDs", () => {
  it("are the same files as crds/", () => {
    expect(yamlFiles(COPY), FIX).toEqual(yamlFiles(SOURCE));
    expect(yamlFiles(SOURCE)).toContain("platform.tenancy.dev_tenants.yaml");
  });

  it("have the same content as crds/", () => {
    for (const file of yamlFiles(SOURCE)) {
      const copy = readFileSync(path.join(COPY, file), "utf8");
      expect(
        copy === readFileSync(path.join(SOURCE, file), "utf8"),
        `${file} differs: ${FIX}`,
      ).toBe(true);
    }
  });
});
