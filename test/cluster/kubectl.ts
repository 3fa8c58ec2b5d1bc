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
 * `kubectl wait --for=condition=...` fails at once, instead of waiting, on an object whose
 * status has no conditions yet: a CRD applied a moment ago, before the API server's controller
 * wrote its status, gives ".status.conditions accessor error: <nil> is of the type <nil>,
 * expected []interface{}" (a CI run failed on it). kubectlAt runs such a wait again until its
 * time is up.
 */
const NO_CONDITIONS_YET = /\.status\.conditions accessor error: <nil> is of the type <nil>/;
const WAIT_RETRY_MS = 250;

/**
 * Runs kubectl from `binDir` against `kubeconfigPath` with `input` on stdin; killed after
 * `timeoutMs`; never throws on a non-zero exit (the code says it). A `wait` that fails only
 * because its object has no conditions yet is run again within `timeoutMs`.
 */
export async function kubectlAt(
  binDir: string,
  kubeconfigPath: string,
  args: string[],
  input?: string,
  timeoutMs = 30_000,
): Promise<KubectlRun> {
  const bin = existsSync(join(binDir, "kubectl")) ? join(binDir, "kubectl") : "kubectl";
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // At least a moment: the retry below leaves > WAIT_RETRY_MS, but its sleep may overrun.
    const run = await runKubectl(
      bin,
      kubeconfigPath,
      args,
      input,
      Math.max(deadline - Date.now(), 100),
    );
    const retry = args[0] === "wait" && run.code !== 0 && NO_CONDITIONS_YET.test(run.stderr);
    if (!retry || deadline - Date.now() <= WAIT_RETRY_MS) return run;
    await new Promise((r) => setTimeout(r, WAIT_RETRY_MS));
  }
}

function runKubectl(
  bin: string,
  kubeconfigPath: string,
  args: string[],
  input: string | undefined,
  timeoutMs: number,
): Promise<KubectlRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ["--kubeconfig", kubeconfigPath, ...args], {
      timeout: timeoutMs,
      stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
    if (input !== undefined) {
      // kubectl may exit before it reads its input (a bad flag, a refused request): its exit
      // code says how it went, and the broken pipe (EPIPE) is no error of the caller's.
      child.stdin!.on("error", () => {});
      child.stdin!.end(input);
    }
  });
}
