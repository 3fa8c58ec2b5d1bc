/**
 * The real compute service as a separate OS process (so tests can kill -9 it): runs
 * service/main.ts through tsx on loopback with free ports, and resolves once its
 * "service started" log line names the ports. Start-up failure rejects with the log.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const REPO = join(import.meta.dirname, "..", "..");

export interface ServiceProcess {
  readonly pid: number;
  readonly grpcAddress: string;
  readonly httpBase: string;
  readonly child: ChildProcess;
  /** Every log line so far (JSON), for assertions and failure messages. */
  readonly output: () => string;
  /** kill -9, then wait for the exit. */
  crash(): Promise<void>;
  /** SIGTERM (graceful shutdown), then wait for the exit code. */
  stop(): Promise<number | null>;
}

export class ServiceStartError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(message);
  }
}

const exitOf = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once("exit", (code) => resolve(code)));

export async function spawnService(
  env: Record<string, string | undefined>,
): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO, "service", "main.ts")], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: "127.0.0.1",
      GRPC_PORT: "0",
      HTTP_PORT: "0",
      LOG_FORMAT: "json",
      LOG_LEVEL: "info",
      SHUTDOWN_DRAIN_DELAY_MS: "0",
      SHUTDOWN_TIMEOUT_MS: "5000",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const append = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-200_000);
  };
  child.stderr.on("data", append);
  const ports = await new Promise<{ grpcPort: number; httpPort: number }>((resolve, reject) => {
    let pending = "";
    const timer = setTimeout(() => fail("did not start within 60 s"), 60_000);
    function fail(why: string): void {
      clearTimeout(timer);
      reject(
        new ServiceStartError(`service ${why}:\n${output.slice(-4000)}`, child.exitCode, output),
      );
    }
    child.stdout.on("data", (chunk: Buffer) => {
      append(chunk);
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      for (const line of lines) {
        if (!line.includes('"service started"')) continue;
        clearTimeout(timer);
        resolve(JSON.parse(line) as { grpcPort: number; httpPort: number });
      }
    });
    child.once("exit", (code) => fail(`exited with code ${code} before it started`));
  });
  return {
    pid: child.pid!,
    grpcAddress: `127.0.0.1:${ports.grpcPort}`,
    httpBase: `http://127.0.0.1:${ports.httpPort}`,
    child,
    output: () => output,
    async crash() {
      child.kill("SIGKILL");
      await exitOf(child);
    },
    async stop() {
      child.kill("SIGTERM");
      return exitOf(child);
    },
  };
}
