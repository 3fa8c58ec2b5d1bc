// Runs the real tenantctl process (from source, through tsx) against a test server: what a
// user's shell does, for the tests of argument parsing, exit codes and the environment.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestApp } from "../../server/testing/harness.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

export interface ProcessRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `env` replaces the inherited environment when given (PATH is always kept). */
export function runTenantctlProcess(
  t: TestApp,
  args: string[],
  env?: Record<string, string>,
): Promise<ProcessRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [
        "--import",
        "tsx",
        "service/cli/main.ts",
        "--addr",
        t.grpcAddress,
        "--http",
        t.httpBase,
        ...args,
      ],
      {
        cwd: REPO,
        timeout: 30_000,
        ...(env && { env: { PATH: process.env.PATH ?? "", ...env } }),
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
