// Runs tenantctl against a test server: in this process (runCli, quick), or as the real
// process from source through tsx (what a user's shell does: argument parsing, exit codes,
// the environment).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { TestApp } from "../../server/testing/harness.js";
import { runCli } from "../program.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs tenantctl in this process against `t`. */
export async function runTenantctl(t: TestApp, args: string[]): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(
    ["node", "tenantctl", "--addr", t.grpcAddress, "--http", t.httpBase, ...args],
    {
      out: (line) => (stdout += `${line}\n`),
      err: (line) => (stderr += `${line}\n`),
    },
  );
  return { code, stdout, stderr };
}

/** `env` replaces the inherited environment when given (PATH is always kept). */
export function runTenantctlProcess(
  t: TestApp,
  args: string[],
  env?: Record<string, string>,
): Promise<Run> {
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
