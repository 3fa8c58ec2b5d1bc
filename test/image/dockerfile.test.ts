// Holds the Dockerfile to what the project asks of its image, read from the file itself.
// scripts/build-image.sh builds this same file with buildah (build-image.int.test.ts runs
// the result); these checks are the ones a build cannot make: what the file asks for.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../chart/helm.js";
import { ignores, parseDockerfile } from "./dockerfile.js";

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), "utf8");
const dockerfile = parseDockerfile(read("Dockerfile"));
const runtime = dockerfile.at(-1)!;

describe("the Dockerfile", () => {
  it("builds every stage from the same Node.js 24 base image", () => {
    expect(new Set(dockerfile.map((s) => s.base))).toEqual(new Set(["node:24-bookworm-slim"]));
  });

  it("installs with npm ci from the lockfile, never npm install", () => {
    for (const stage of dockerfile) {
      const runs = stage.steps.flatMap((step) => (step.op === "run" ? [step.command] : []));
      expect(
        runs.filter((c) => c.startsWith("npm install")),
        stage.name,
      ).toEqual([]);
      if (runs.some((c) => c.startsWith("npm ci"))) {
        expect(stage.steps, stage.name).toContainEqual({ op: "copy", source: "package-lock.json" });
      }
    }
  });

  it("puts only production dependencies in the final image", () => {
    const nodeModules = runtime.steps.find((s) => s.op === "copy" && s.source === "node_modules");
    const from = dockerfile.find(
      (s) => nodeModules?.op === "copy" && s.name === nodeModules.fromStage,
    );
    expect(from?.steps).toContainEqual({
      op: "run",
      command: expect.stringMatching(/^npm ci --omit=dev\b/),
    });
  });

  it("runs as a numeric non-root user, without a HEALTHCHECK", () => {
    expect(runtime.settings.USER).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(read("Dockerfile")).not.toMatch(/^\s*HEALTHCHECK/m);
  });

  it("starts the compute service by default and the operator with one argument", () => {
    expect(JSON.parse(runtime.settings.ENTRYPOINT!)).toEqual(["node"]);
    expect(JSON.parse(runtime.settings.CMD!)).toEqual([
      "--flush-baseline-code",
      "dist/service/main.js",
    ]);
    const chartDeployment = read("charts/tenant-operator/templates/deployment.yaml");
    expect(chartDeployment).toMatch(/args:\n\s+- dist\/operator\/main\.js\n/);
  });

  it("copies nothing that .dockerignore leaves out of the build context", () => {
    const dockerignore = read(".dockerignore");
    for (const stage of dockerfile) {
      for (const step of stage.steps) {
        if (step.op === "copy" && !step.fromStage)
          expect(ignores(dockerignore, step.source), step.source).toBeUndefined();
      }
    }
  });
});
