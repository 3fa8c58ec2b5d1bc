/**
 * The store the service talks to: one tenant's users and counters, on PGlite (default, in
 * DATA_DIR) or PostgreSQL (when DATABASE_URL is set). Both run the same migrations and SQL.
 */
import { type CounterRepository, counterRepository } from "./counter-repo.js";
import type { LockOptions } from "./lock.js";
import { type MigrationReport, migrate } from "./migrations.js";
import { openPglite } from "./pglite.js";
import { openPostgres } from "./postgres.js";
import type { SqlDatabase } from "./sql.js";
import { type UserRepository, userRepository } from "./users-repo.js";

export interface Store {
  readonly backend: SqlDatabase["backend"];
  readonly tenant: string;
  readonly users: UserRepository;
  readonly counters: CounterRepository;
  /** What migrate() did at open: applied versions, and optional ones that failed. */
  readonly migrations: MigrationReport;
  /** Closes connections and, for PGlite, releases the data directory. Idempotent. */
  close(): Promise<void>;
}

export interface StoreConfig {
  /** Scopes every row; one database can serve many tenants. */
  tenant: string;
  /** PGlite data directory, used when databaseUrl is not set. */
  dataDir: string;
  databaseUrl?: string | undefined;
  /** PostgreSQL only. Default 5000. */
  statementTimeoutMs?: number;
  /** PostgreSQL only: pool size. Default 10. */
  maxConnections?: number;
  /** PGlite only: lock heartbeat and what to do when the lock is lost. */
  lock?: LockOptions;
  onIdleError?: (error: Error) => void;
}

/** Opens the configured backend and migrates it. Throws DataDirLockedError (PGlite) if taken. */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.tenant.trim() === "") throw new Error("store: tenant must not be empty");
  const db = await openDatabase(config);
  try {
    const migrations = await migrate(db);
    // PGlite has no autovacuum: refresh planner statistics (sampled, cheap) at each start.
    if (db.backend === "pglite") await db.query(`ANALYZE users`);
    return storeOn(db, config.tenant, migrations);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

export function openDatabase(config: StoreConfig): Promise<SqlDatabase> {
  if (config.databaseUrl) {
    return openPostgres({
      connectionString: config.databaseUrl,
      ...(config.statementTimeoutMs !== undefined && {
        statementTimeoutMs: config.statementTimeoutMs,
      }),
      ...(config.maxConnections !== undefined && { maxConnections: config.maxConnections }),
      ...(config.onIdleError && { onIdleError: config.onIdleError }),
    });
  }
  return openPglite({ dataDir: config.dataDir, ...(config.lock && { lock: config.lock }) });
}

/** A Store for `tenant` on an already migrated database (lets tests share one database). */
export function storeOn(db: SqlDatabase, tenant: string, migrations: MigrationReport): Store {
  return {
    backend: db.backend,
    tenant,
    users: userRepository(db, tenant),
    counters: counterRepository(db, tenant),
    migrations,
    close: () => db.close(),
  };
}
