/**
 * The compute service as a real OS process (service/main.ts through node and the tsx loader),
 * for tests of what only a process shows: signals, exit codes, config errors, kill -9, several
 * processes on one database. It listens on loopback on free ports; its stdout lines are parsed
 * as JSON logs. Started through diesWithParent, so a test worker killed by a signal (no exit
 * handler or afterAll runs then) does not leave services behind.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { diesWithParent } from "../../../test/cluster/processes.js";

const REPO = fileURLToPath(new URL("../../../", import.meta.url));

/** Output kept for output() and ServiceStartError: the end of a long run is what explains it. */
const OUTPUT_LIMIT = 200_000;

export type LogLine = Record<string, unknown>;

export interface ServiceProcess {
  child: ChildProcess;
  /** The stdout lines so far, parsed; a line that is not JSON is kept as `{ text }`. */
  logs: LogLine[];
  stderr: () => string;
  /** stdout and stderr as they came, the last 200,000 characters. */
  output: () => string;
  /** Resolves with the first log line matching; rejects if the process ends or after timeoutMs. */
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /**
   * Resolves with the exit code (or signal name) once the process has exited and its output is
   * read to the end, or rejects after timeoutMs.
   */
  exited(timeoutMs?: number): Promise<number | string>;
}

/**
 * Starts the service and returns at once. Its environment is `env` over PATH, HOST=127.0.0.1
 * and GRPC_PORT=HTTP_PORT=0 (free ports): nothing else of the test's environment leaks in.
 */
export function startServiceProcess(env: Record<string, string | undefined>): ServiceProcess {
  const [command, args] = diesWithParent(process.execPath, ["--import", "tsx", "service/main.ts"]);
  const child = spawn(command, args, {
    cwd: REPO,
    env: { PATH: process.env.PATH, HOST: "127.0.0.1", GRPC_PORT: "0", HTTP_PORT: "0", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: LogLine[] = [];
  const waiters = new Set<() => void>();
  const wake = (): void => waiters.forEach((check) => check());
  let stderr = "";
  let output = "";
  let pending = "";
  child.stdout.setEncoding("utf8");
  child.stderr.setEncoding("utf8");
  child.stdout.on("data", (chunk: string) => {
    output = (output + chunk).slice(-OUTPUT_LIMIT);
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as LogLine);
      } catch {
        logs.push({ text: line });
      }
    }
    wake();
  });
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
    output = (output + chunk).slice(-OUTPUT_LIMIT);
  });
  // "close" rather than "exit": it comes once stdout and stderr are read to the end, so a
  // test that awaits the exit sees every line the process wrote (its last words included).
  let status: number | string | undefined;
  const closed = new Promise<number | string>((resolve) =>
    child.once("close", (code, signal) => {
      status = code ?? signal ?? "unknown";
      resolve(status);
      wake();
    }),
  );
  return {
    child,
    logs,
    stderr: () => stderr,
    output: () => output,
    waitForLog(predicate, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const settle = (done: () => void): void => {
          clearTimeout(timer);
          waiters.delete(check);
          done();
        };
        const check = (): void => {
          const found = logs.find(predicate);
          if (found) settle(() => resolve(found));
          else if (status !== undefined) {
            settle(() => reject(new Error(`service exited (${status}); stderr: ${stderr}`)));
          }
        };
        const timer = setTimeout(
          () => settle(() => reject(new Error(`no matching log line; stderr: ${stderr}`))),
          timeoutMs,
        );
        waiters.add(check);
        check();
      });
    },
    exited(timeoutMs = 60_000) {
      let timer: NodeJS.Timeout | undefined;
      return Promise.race([
        closed,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error("service did not exit in time")), timeoutMs);
        }),
      ]).finally(() => clearTimeout(timer));
    },
  };
}

/** A service that has started: its "service started" log line named the ports it listens on. */
export interface StartedService extends ServiceProcess {
  readonly pid: number;
  readonly grpcAddress: string;
  readonly httpBase: string;
  /** kill -9, then wait for the exit. */
  crash(): Promise<void>;
  /** SIGTERM (graceful shutdown), then wait for the exit code (null when a signal ended it). */
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

/**
 * What startService adds under `env`: JSON logs at info (the ports are read from a log line), no
 * drain delay and a 5 s shutdown bound (so stop() is quick), and the test's HOME (where
 * PostgreSQL's client looks for a .pgpass file).
 */
export const STARTED_SERVICE_DEFAULTS: Readonly<Record<string, string | undefined>> = {
  HOME: process.env.HOME,
  LOG_FORMAT: "json",
  LOG_LEVEL: "info",
  SHUTDOWN_DRAIN_DELAY_MS: "0",
  SHUTDOWN_TIMEOUT_MS: "5000",
};

/**
 * Starts the service (startServiceProcess, with STARTED_SERVICE_DEFAULTS under `env`) and
 * resolves once it has started. A process that exits first, or has not started within 60 s,
 * rejects with a ServiceStartError carrying its output (and is killed in the second case).
 */
export async function startService(
  env: Record<string, string | undefined>,
): Promise<StartedService> {
  const service = startServiceProcess({ ...STARTED_SERVICE_DEFAULTS, ...env });
  const { child } = service;
  let started: LogLine;
  try {
    started = await service.waitForLog((line) => line.msg === "service started", 60_000);
  } catch {
    const ended = child.exitCode !== null || child.signalCode !== null;
    if (!ended) child.kill("SIGKILL");
    const why = ended
      ? `exited with ${child.exitCode ?? child.signalCode} before it started`
      : "did not start within 60 s";
    const output = service.output();
    throw new ServiceStartError(`service ${why}:\n${output.slice(-4000)}`, child.exitCode, output);
  }
  return {
    ...service,
    pid: child.pid!,
    grpcAddress: `127.0.0.1:${String(started.grpcPort)}`,
    httpBase: `http://127.0.0.1:${String(started.httpPort)}`,
    async crash() {
      child.kill("SIGKILL");
      await service.exited();
    },
    async stop() {
      child.kill("SIGTERM");
      const status = await service.exited();
      return typeof status === "number" ? status : null;
    },
  };
}
