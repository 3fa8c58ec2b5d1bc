/**
 * Starts our service for the footprint bench as the image runs it: one Node process on
 * dist/service/main.js with the runtime stage's memory settings (NODE_OPTIONS, jemalloc
 * preloaded; read from the Dockerfile so the bench and the image cannot drift),
 * on the embedded store in a fresh data directory or on a new PostgreSQL database. `nodeArgs`
 * (e.g. `--no-opt`, flags NODE_OPTIONS refuses) go before the entry point and `env` over the
 * image's (e.g. MALLOC_CONF), for the bench's variants: what a V8 or jemalloc setting would
 * save, against the image as it is, in one run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startPostgres } from "../../test/postgres/server.js";
import { REPO } from "../lib/build.js";
import { imageProcessEnv } from "../lib/image-env.js";
import { freePort, startProcess } from "../lib/processes.js";
import type { Backend, RunningServer } from "../service/servers.js";

export async function startOursAsImage(
  backend: Backend,
  entry: string,
  nodeArgs: readonly string[] = [],
  env: Readonly<Record<string, string>> = {},
): Promise<RunningServer> {
  const cleanups: (() => Promise<void> | void)[] = [];
  const cleanUp = async (): Promise<void> => {
    for (const step of cleanups.splice(0).reverse()) await step();
  };
  try {
    let store: Record<string, string>;
    if (backend === "postgres") {
      const postgres = await startPostgres();
      cleanups.push(() => postgres.stop());
      store = { DATABASE_URL: await postgres.createDatabase("footprint") };
    } else {
      const dataDir = mkdtempSync(join(tmpdir(), "footprint-data-"));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      store = { DATA_DIR: dataDir };
    }
    const [grpcPort, httpPort] = [await freePort(), await freePort()];
    const started = await startProcess(process.execPath, [...nodeArgs, entry], {
      env: {
        ...imageProcessEnv(),
        ...env,
        HOST: "127.0.0.1",
        GRPC_PORT: String(grpcPort),
        HTTP_PORT: String(httpPort),
        LOG_LEVEL: "info",
        ...store,
      },
      cwd: REPO,
      readyLine: /"msg":"service started"/,
      readyTimeoutMs: 120_000,
    });
    cleanups.push(() => started.stop());
    return {
      process: started,
      grpcAddress: `127.0.0.1:${grpcPort}`,
      httpBase: `http://127.0.0.1:${httpPort}`,
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
