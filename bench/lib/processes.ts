/**
 * Child processes for the benchmarks: started with a readiness probe and a deadline,
 * stopped by pid (SIGTERM, then SIGKILL), and all killed if the bench itself exits or is
 * interrupted, so no server outlives a run. Only loopback addresses are probed.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

const live = new Set<ChildProcess>();

function killAll(): void {
  for (const child of live) child.kill("SIGKILL");
}
process.on("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    killAll();
    process.exit(130);
  });
}

export interface Started {
  child: ChildProcess;
  pid: number;
  /** Everything the child wrote to stderr so far (the last 64 KiB), for error messages. */
  stderr: () => string;
  /** The last 64 KiB of its stdout. */
  stdout: () => string;
  stop: () => Promise<void>;
}

export interface StartOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Resolves true once the child serves. Polled every 100 ms until readyTimeoutMs. */
  ready?: () => Promise<boolean>;
  /** Alternatively (or also): ready once the child's stdout matches this. */
  readyLine?: RegExp;
  readyTimeoutMs?: number;
  /** Where the child's stdout goes: "ignore" (default) or "stderr" (ours, for diagnosis). */
  stdout?: "ignore" | "stderr";
}

export async function startProcess(
  command: string,
  args: string[],
  options: StartOptions,
): Promise<Started> {
  const child = spawn(command, args, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let errText = "";
  let outText = "";
  child.stderr.on("data", (chunk: Buffer) => {
    errText = (errText + chunk.toString()).slice(-65536);
  });
  child.stdout.on("data", (chunk: Buffer) => {
    outText = (outText + chunk.toString()).slice(-65536);
    if (options.stdout === "stderr") process.stderr.write(chunk);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", () => {
      exited = true;
      live.delete(child);
      resolve();
    }),
  );
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill("SIGTERM");
    const killed = await Promise.race([exit.then(() => true), sleep(5000).then(() => false)]);
    if (!killed) child.kill("SIGKILL");
    await exit;
  };
  const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
  for (;;) {
    if (exited) {
      throw new Error(
        `${command} exited before it was ready:\n${outText.slice(-3000)}\n${errText.slice(-3000)}`,
      );
    }
    const lineSeen = !options.readyLine || options.readyLine.test(outText);
    const probed = !options.ready || (await options.ready().catch(() => false));
    if (lineSeen && probed) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(
        `${command} not ready within ${options.readyTimeoutMs ?? 30_000} ms:\n${errText.slice(-4000)}`,
      );
    }
    await sleep(100);
  }
  return { child, pid: child.pid!, stderr: () => errText, stdout: () => outText, stop };
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** A port that was free on 127.0.0.1 a moment ago (one implementation for tests and benches). */
export { freePort } from "../../test/cluster/processes.js";

/** Runs a command to completion with a hard deadline; resolves its stdout. */
export function runToCompletion(
  command: string,
  args: string[],
  timeoutMs: number,
): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    live.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c.toString()));
    child.stderr.on("data", (c: Buffer) => (stderr = (stderr + c.toString()).slice(-65536)));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      live.delete(child);
      resolve({ stdout, stderr, code });
    });
  });
}
