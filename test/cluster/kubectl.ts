// kubectl as a child process, for the tests, the benches and the demo: the control plane's own
// build (same version as the server) when it is there, kubectl from PATH otherwise.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";

export interface KubectlRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs kubectl from `binDir` against `kubeconfigPath` with `input` on stdin; killed after
 * `timeoutMs`; never throws on a non-zero exit (the code says it).
 */
export function kubectlAt(
  binDir: string,
  kubeconfigPath: string,
  args: string[],
  input?: string,
  timeoutMs = 30_000,
): Promise<KubectlRun> {
  const bin = existsSync(join(binDir, "kubectl")) ? join(binDir, "kubectl") : "kubectl";
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["--kubeconfig", kubeconfigPath, ...args], { timeout: timeoutMs });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? "");
  });
}
