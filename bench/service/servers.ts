/**
 * Starting the two contestants on loopback with free ports: the Go reference (one process,
 * GOMAXPROCS = all cores) and ours (node:cluster launcher over dist/service/main.js, N
 * workers, counter on a throw-away real PostgreSQL so it is durable and unique across workers).
 */
import { fileURLToPath } from "node:url";
import { startPostgres, type PostgresServer } from "../../test/postgres/server.js";
import { ensureBuilt, REPO } from "../lib/build.js";
import { freePort, startProcess, type Started } from "../lib/processes.js";
import type { Target } from "./load.js";

const LAUNCHER = fileURLToPath(new URL("./cluster-launcher.ts", import.meta.url));

export interface RunningServer extends Target {
  process: Started;
  stop(): Promise<void>;
}

/** The built service entry point (dist/service/main.js), rebuilt when service/ changed. */
export const ensureServiceBuilt = (): string => ensureBuilt("service/main.js", ["service"]);

export async function startReference(binary: string): Promise<RunningServer> {
  const [grpcPort, httpPort] = [await freePort(), await freePort()];
  const started = await startProcess(
    binary,
    [`--grpc-port=${grpcPort}`, `--http-port=${httpPort}`],
    {
      readyLine: /^ready$/m,
    },
  );
  return {
    process: started,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    httpBase: `http://127.0.0.1:${httpPort}`,
    stop: started.stop,
  };
}

export interface OursOptions {
  workers: number;
  /** The built entry point, from ensureServiceBuilt(). */
  entry: string;
}

export async function startOurs(
  options: OursOptions,
): Promise<RunningServer & { postgres: PostgresServer }> {
  const postgres = await startPostgres();
  try {
    const databaseUrl = await postgres.createDatabase("bench");
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const env = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      HOST: "127.0.0.1",
      GRPC_PORT: String(grpcPort),
      HTTP_PORT: String(httpPort),
      LOG_LEVEL: "info",
      DATABASE_URL: databaseUrl,
    };
    const started = await startProcess(
      process.execPath,
      ["--import", "tsx", LAUNCHER, options.entry, String(options.workers)],
      { env, cwd: REPO, readyLine: /^ready$/m, readyTimeoutMs: 60_000 },
    );
    return {
      process: started,
      postgres,
      grpcAddress: `127.0.0.1:${grpcPort}`,
      httpBase: `http://127.0.0.1:${httpPort}`,
      stop: async () => {
        await started.stop();
        await postgres.stop();
      },
    };
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}
