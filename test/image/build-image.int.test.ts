// Runs the image build without Docker (scripts/build-image.sh: the Dockerfile's stages, step
// for step, into a temporary directory) and checks what would end up in the image. The
// script's own smoke test imports every compiled module against production dependencies and
// starts both entry points with --help; a failure there fails this test with its output.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../chart/helm.js";

const BUILD_TIMEOUT_MS = 15 * 60_000;

describe("the image build, outside Docker", () => {
  const out = mkdtempSync(path.join(tmpdir(), "tenant-operator-image-"));
  const app = path.join(out, "runtime", "app");
  let build: { status: number | null; output: string } = { status: null, output: "" };

  beforeAll(() => {
    const result = spawnSync("bash", [path.join(REPO_ROOT, "scripts", "build-image.sh"), out], {
      cwd: REPO_ROOT,
      encoding: "utf8",
      timeout: BUILD_TIMEOUT_MS,
      env: { ...process.env, CI: "true" },
    });
    build = { status: result.status, output: `${result.stdout}\n${result.stderr}` };
  }, BUILD_TIMEOUT_MS + 10_000);

  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("completes every stage and its smoke test", () => {
    expect(build.output).toContain("image contents ready");
    expect(build.status, build.output.slice(-3000)).toBe(0);
  });

  it("holds the compiled entry points and their run-time assets", () => {
    for (const file of ["dist/service/main.js", "dist/operator/main.js", "package.json"]) {
      expect(existsSync(path.join(app, file)), file).toBe(true);
    }
    expect(existsSync(path.join(app, "dist/crds/platform.tenancy.dev_tenants.yaml"))).toBe(true);
    expect(existsSync(path.join(app, "dist/service/proto"))).toBe(true);
  });

  it("holds production dependencies only, as the lockfile pins them", () => {
    const pkg = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    for (const [name, version] of Object.entries(pkg.dependencies)) {
      const installed = path.join(app, "node_modules", name, "package.json");
      expect(existsSync(installed), name).toBe(true);
      expect(
        (JSON.parse(readFileSync(installed, "utf8")) as { version: string }).version,
        name,
      ).toBe(version);
    }
    // A devDependency may also be needed at run time by a dependency (client-node ships
    // @types/*): the lockfile's "dev" flag says which packages only development needs.
    const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.keys(pkg.devDependencies).filter(
      (name) => lock.packages[`node_modules/${name}`]?.dev,
    );
    expect(devOnly).toContain("typescript");
    for (const name of devOnly) {
      expect(existsSync(path.join(app, "node_modules", name)), name).toBe(false);
    }
  });

  it("leaves no test files or TypeScript sources in the image", () => {
    const listing = spawnSync(
      "find",
      [app, "-path", `${app}/node_modules`, "-prune", "-o", "-type", "f", "-print"],
      {
        encoding: "utf8",
      },
    ).stdout;
    expect(listing).not.toMatch(/\.test\.(ts|js)$/m);
    expect(listing).not.toMatch(/(?<!\.d)\.ts$/m);
  });
});
