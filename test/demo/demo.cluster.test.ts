// The demo, end to end, against the run's cluster: `scripts/demo.ts --smoke --kubeconfig`
// brings examples/tenants/ to Ready through the built operator, starts each tenant's service on
// localhost and stops once each answered. The prefix keeps its Tenants apart from other files'.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CustomObjectsApi, VersionApi } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { DEMO_LABEL } from "../../scripts/demo/tenants.js";
import { testCluster, testKubeConfig, uniqueName } from "../cluster/testing.js";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

function runDemo(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    // The test runner's own Node (not whichever `npx` PATH finds), as demo.sh runs it.
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", ...args], {
      cwd: ROOT,
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), 300_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe("the demo (scripts/demo.ts --smoke)", () => {
  it("brings the example tenants to Ready, prints their table, and each tenant's service answers fibonacci(10) and its counter on localhost", async () => {
    const prefix = uniqueName("demo");
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "demo-test-"));
    const { kubeconfigPath } = testCluster();
    const run = await runDemo([
      "--smoke",
      `--kubeconfig=${kubeconfigPath}`,
      `--prefix=${prefix}`,
      `--dir=${dir}`,
    ]);
    const demoLines = run.out
      .split("\n")
      .filter((l) => !l.startsWith("{"))
      .join("\n");
    expect(run.code, demoLines).toBe(0);
    expect(run.out).toMatch(/^NAME +HOST +READY +URL/m);
    for (const example of ["acme", "globex", "initech"]) {
      const name = `${prefix}-${example}`;
      expect(run.out).toMatch(
        new RegExp(`^${name} +${name}\\.tenants\\.example\\.com +True +https://${name}\\.`, "m"),
      );
      expect(run.out).toContain(`${name}: GET /fibonacci/10/ -> {"response":"55"}`);
      // A fresh store each: the counter starts at 1 (globex's on the local PostgreSQL).
      expect(run.out).toContain(`${name}: GET /getCounter -> 1`);
      expect(run.out).toMatch(new RegExp(`curl http://localhost:\\d+/fibonacci/10/`));
    }
    expect(run.out).toContain(`${prefix}-globex (on the local PostgreSQL`);
    expect(run.out).toContain("smoke run passed");

    // It leaves a cluster it did not start running, and takes its own Tenants away.
    const kc = testKubeConfig();
    await expect(kc.makeApiClient(VersionApi).getCode()).resolves.toBeTruthy();
    const left = (await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({
      group: "platform.tenancy.dev",
      version: "v1alpha1",
      plural: "tenants",
      labelSelector: `${DEMO_LABEL}=${prefix}`,
    })) as { items: unknown[] };
    expect(left.items).toEqual([]);
    expect(fs.existsSync(path.join(dir, "tenants"))).toBe(false);
    fs.rmSync(dir, { recursive: true, force: true });
  }, 330_000);
});
