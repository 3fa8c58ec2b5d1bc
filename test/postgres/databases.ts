/**
 * Test databases on both backends, for `describe.each(BACKENDS)`: the embedded store in a fresh temp
 * dir, or a fresh database on one real PostgreSQL server started for the test file.
 *
 *   const dbs = testDatabases(backend);
 *   beforeAll(() => dbs.start());  afterAll(() => dbs.stop());
 *   const where = await dbs.fresh();   // { dataDir } or { dataDir, databaseUrl }
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PostgresServer, startPostgres } from "./server.js";

export const BACKENDS = ["sqlite", "postgres"] as const;
export type Backend = (typeof BACKENDS)[number];

/** Where a store lives: pass to openStore / the service's env (DATA_DIR, DATABASE_URL). */
export interface DatabaseLocation {
  dataDir: string;
  databaseUrl?: string;
}

export interface TestDatabases {
  start(): Promise<void>;
  /** A new, empty database (its own data dir, or a new PostgreSQL database). */
  fresh(): Promise<DatabaseLocation>;
  stop(): Promise<void>;
}

let counter = 0;

export function testDatabases(backend: Backend): TestDatabases {
  let server: PostgresServer | undefined;
  const dirs: string[] = [];
  const newDir = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "store-test-"));
    dirs.push(dir);
    return dir;
  };
  return {
    async start() {
      if (backend === "postgres") server = await startPostgres();
    },
    async fresh() {
      const dataDir = newDir();
      if (backend === "sqlite") return { dataDir };
      if (!server) throw new Error("testDatabases: start() first");
      counter += 1;
      return {
        dataDir,
        databaseUrl: await server.createDatabase(`test_${process.pid}_${counter}`),
      };
    },
    async stop() {
      await server?.stop();
      for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
    },
  };
}
