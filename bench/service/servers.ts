/**
 * Starting the contestants on loopback with free ports:
 * - the Go reference (one process; GOMAXPROCS = its core count), everything in memory;
 * - ours: dist/service/main.js as ONE Node process (or, with workers > 1, the node:cluster
 *   launcher over N of them) with the image's memory settings (Dockerfile), on the embedded
 *   store in a fresh DATA_DIR or on a throw-away real PostgreSQL via DATABASE_URL.
 * With `cpus` set, each server runs under `taskset -c <cpus>` (the bench gives both the same
 * single core), so neither can borrow the other core from the load tools.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startPostgres } from "../../test/postgres/server.js";
import { ensureBuilt, REPO } from "../lib/build.js";
import { imageNodeArgs, imageProcessEnv } from "../lib/image-env.js";
import { freePort, startProcess, type Started } from "../lib/processes.js";
import type { Target } from "./load.js";

const LAUNCHER = fileURLToPath(new URL("./cluster-launcher.ts", import.meta.url));

export type Backend = "embedded" | "postgres";

export interface RunningServer extends Target {
  process: Started;
  /** PID of a database server the server uses (PostgreSQL's postmaster), whose CPU is reported apart. */
  databasePid?: () => number | undefined;
  stop(): Promise<void>;
}

/** The built service entry point (dist/service/main.js), rebuilt when service/ changed. */
export const ensureServiceBuilt = (): string => ensureBuilt("service/main.js", ["service"]);

/** [command, args] for `command args` under `taskset -c cpus` when cpus is set. */
export function pinned(
  cpus: string | undefined,
  command: string,
  args: string[],
): [string, string[]] {
  return cpus === undefined ? [command, args] : ["taskset", ["-c", cpus, command, ...args]];
}

export interface ReferenceOptions {
  binary: string;
  /** GOMAXPROCS. */
  cores: number;
  cpus?: string;
}

export async function startReference(options: ReferenceOptions): Promise<RunningServer> {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const [command, args] = pinned(options.cpus, options.binary, [
    `--grpc-port=${grpcPort}`,
    `--http-port=${httpPort}`,
  ]);
  const started = await startProcess(command, args, {
    env: { ...process.env, GOMAXPROCS: String(options.cores) },
    readyLine: /^ready$/m,
  });
  return {
    process: started,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    httpBase: `http://127.0.0.1:${httpPort}`,
    stop: started.stop,
  };
}

export interface OursOptions {
  backend: Backend;
  /** The built entry point, from ensureServiceBuilt(). */
  entry: string;
  /** 1: one Node process; more: the node:cluster launcher (postgres backend only). */
  workers: number;
  cpus?: string;
  /** Node arguments before the entry point, and variables over the image's (a --variant). */
  nodeArgs?: readonly string[];
  env?: Readonly<Record<string, string>>;
}

export async function startOurs(options: OursOptions): Promise<RunningServer> {
  const cleanups: (() => Promise<void> | void)[] = [];
  let stopping: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const step of [...cleanups].reverse()) await step();
    })());
  try {
    let store: Record<string, string>;
    let databasePid: (() => number | undefined) | undefined;
    if (options.backend === "postgres") {
      const postgres = await startPostgres();
      cleanups.push(() => postgres.stop());
      store = { DATABASE_URL: await postgres.createDatabase("bench") };
      databasePid = () => postmasterPid(postgres.dir);
    } else {
      if (options.workers > 1)
        throw new Error("the embedded store allows one process: --workers 1");
      const dataDir = mkdtempSync(join(tmpdir(), "bench-data-"));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      store = { DATA_DIR: dataDir };
    }
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const env = {
      // as a tenant pod runs it: a smaller heap costs CPU in garbage collection
      ...imageProcessEnv(),
      ...options.env,
      HOST: "127.0.0.1",
      GRPC_PORT: String(grpcPort),
      HTTP_PORT: String(httpPort),
      LOG_LEVEL: "info",
      ...store,
    };
    // The image's Node arguments too; node:cluster's workers inherit the launcher's.
    const nodeArgs = [...imageNodeArgs(), ...(options.nodeArgs ?? [])];
    const [command, args] =
      options.workers === 1
        ? pinned(options.cpus, process.execPath, [...nodeArgs, options.entry])
        : [
            process.execPath,
            [...nodeArgs, "--import", "tsx", LAUNCHER, options.entry, String(options.workers)],
          ];
    const started = await startProcess(command, args, {
      env,
      cwd: REPO,
      // one process logs "service started" (JSON); the launcher prints "ready" for all workers
      readyLine: options.workers === 1 ? /"msg":"service started"/ : /^ready$/m,
      readyTimeoutMs: 120_000,
    });
    cleanups.push(() => started.stop());
    return {
      process: started,
      ...(databasePid && { databasePid }),
      grpcAddress: `127.0.0.1:${grpcPort}`,
      httpBase: `http://127.0.0.1:${httpPort}`,
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}

/** The postmaster's PID from its pid file (the backends are its children). */
function postmasterPid(dir: string): number | undefined {
  try {
    const pid = Number(readFileSync(join(dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);
    return pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}
