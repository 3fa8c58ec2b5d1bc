/**
 * The embedded backend: SQLite through Node's built-in node:sqlite, in one file of the data
 * directory (DATA_DIR/store.sqlite). One process per directory, enforced by a lock file
 * (SQLite's own locks would let two processes share it, but each process serves reads from
 * its own view and hands out counter blocks it assumes are its own; see lock.ts).
 *
 * Durability: WAL journal with synchronous=FULL, so every write is on disk (fsync) before
 * the call that made it returns; a kill -9 or power loss loses nothing that was answered.
 * Memory: a bounded page cache (PAGE_CACHE_KIB) and no mmap, so the process's size does not
 * grow with the number of stored users; see the README's "Storage" section.
 */
import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { indexMerger } from "./fts-merge.js";
import { type LockOptions, lockDirectory } from "./lock.js";
import type { MigrationReport } from "./migrations.js";
import { type PgliteImport, importPglite, needsPgliteImport } from "./pglite-import.js";
import { migrateSqlite } from "./sqlite-migrations.js";

export const SQLITE_FILE_NAME = "store.sqlite";
/** SQLite's page cache per connection. 8 MiB keeps a 100,000-user directory's indexes hot. */
export const PAGE_CACHE_KIB = 8192;

export interface SqliteOptions {
  /** Created if missing. */
  dataDir: string;
  lock?: LockOptions;
}

export interface OpenSqlite {
  db: DatabaseSync;
  migrations: MigrationReport;
  /** Set when this open upgraded a directory of an earlier release (see pglite-import.ts). */
  imported?: PgliteImport;
  /** To be called after users are written: keeps the name index merged (fts-merge.ts). */
  usersWritten: () => void;
  /** Closes the database and releases the directory lock. Idempotent. */
  close: () => Promise<void>;
}

/**
 * Locks `dataDir` (throwing DataDirLockedError if another live process holds it), opens or
 * creates the database file there and migrates it.
 */
export async function openSqlite(options: SqliteOptions): Promise<OpenSqlite> {
  const dataDir = resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const lock = await lockDirectory(dataDir, options.lock);
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(join(dataDir, SQLITE_FILE_NAME));
    db.exec(`PRAGMA journal_mode = WAL`);
    db.exec(`PRAGMA synchronous = FULL`);
    db.exec(`PRAGMA cache_size = -${PAGE_CACHE_KIB}`);
    db.exec(`PRAGMA mmap_size = 0`);
    db.exec(`PRAGMA temp_store = FILE`);
    db.exec(`PRAGMA busy_timeout = 5000`);
    const migrations = migrateSqlite(db);
    const imported = needsPgliteImport(dataDir, db) ? await importPglite(dataDir, db) : undefined;
    db.exec(`PRAGMA optimize = 0x10002`); // refreshes planner statistics where they are stale
    const opened = db;
    const merger = indexMerger(opened);
    merger.written(); // segments an earlier run left unmerged
    let closing: Promise<void> | undefined;
    return {
      db: opened,
      usersWritten: () => merger.written(),
      migrations: { ...migrations, ...(imported && { importedFromPglite: imported }) },
      ...(imported && { imported }),
      close: () =>
        (closing ??= (async () => {
          merger.stop();
          try {
            if (opened.isOpen) {
              opened.exec(`PRAGMA optimize`);
              opened.close();
            }
          } finally {
            await lock.release();
          }
        })()),
    };
  } catch (error) {
    if (db?.isOpen) db.close();
    await lock.release();
    throw error;
  }
}
