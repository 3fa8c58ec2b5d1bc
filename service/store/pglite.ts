/**
 * The embedded backend: PostgreSQL compiled to WebAssembly (PGlite), running in this
 * process on a data directory of its own. One process per directory, enforced by a lock.
 */
import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { PGlite, type Transaction } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { lockDirectory, type LockOptions } from "./lock.js";
import type { Row, SqlClient, SqlDatabase } from "./sql.js";

export interface PgliteOptions {
  /** Created if missing. */
  dataDir: string;
  lock?: LockOptions;
}

/**
 * Locks `dataDir` (throwing DataDirLockedError if another live process holds it), then
 * opens PGlite there. The lock is released by close(), or taken over after a crash.
 */
export async function openPglite(options: PgliteOptions): Promise<SqlDatabase> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const lock = await lockDirectory(dataDir, options.lock);
  let db: PGlite;
  try {
    db = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  } catch (error) {
    await lock.release();
    throw error;
  }
  return new PgliteDatabase(db, () => lock.release());
}

class PgliteDatabase implements SqlDatabase {
  readonly backend = "pglite";
  private closing: Promise<void> | undefined;

  constructor(
    private readonly db: PGlite,
    private readonly releaseLock: () => Promise<void>,
  ) {}

  async query<T extends Row = Row>(text: string, params: unknown[] = []): Promise<T[]> {
    return (await this.db.query<T>(text, params)).rows;
  }

  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    return this.db.transaction((tx: Transaction) =>
      fn({
        query: async <R extends Row = Row>(text: string, params: unknown[] = []) =>
          (await tx.query<R>(text, params)).rows,
      }),
    );
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      try {
        await this.db.close();
      } finally {
        await this.releaseLock();
      }
    })();
    return this.closing;
  }
}
