/**
 * The store the service talks to: one tenant's users and counters, embedded in the process
 * (SQLite via node:sqlite, in DATA_DIR; the default) or on PostgreSQL (when DATABASE_URL is
 * set). Both keep the same contracts and pass the same test suite (store.int.test.ts).
 */
import type { CounterRepository } from "./counter-repo.js";
import type { LockOptions } from "./lock.js";
import type { MigrationReport } from "./migrations.js";
import type { ReadCacheStats } from "./read-cache.js";
import { openSqlite } from "./sqlite.js";
import { sqliteCounterRepository, sqliteUserRepository } from "./sqlite-repos.js";
import type { UserRepository } from "./users-repo.js";

export type Backend = "sqlite" | "postgres";

export interface Store {
  readonly backend: Backend;
  readonly tenant: string;
  readonly users: UserRepository;
  readonly counters: CounterRepository;
  /** What migrations did at open: applied versions, and optional ones that failed. */
  readonly migrations: MigrationReport;
  /** PostgreSQL with a read cache only: how the cache of this tenant's users fares. */
  readonly readCacheStats?: () => ReadCacheStats;
  /** Closes connections and, for SQLite, releases the data directory. Idempotent. */
  close(): Promise<void>;
}

/** An opened, migrated database that may hold many tenants (tests share one this way). */
export interface StoreDatabase {
  readonly backend: Backend;
  readonly migrations: MigrationReport;
  /** A Store scoped to `tenant`; its close() closes this database. */
  storeFor(tenant: string): Store;
  close(): Promise<void>;
}

export interface StoreConfig {
  /** Scopes every row; one database can serve many tenants. */
  tenant: string;
  /** The embedded store's directory, used when databaseUrl is not set. */
  dataDir: string;
  databaseUrl?: string | undefined;
  /** PostgreSQL only. Default 5000. */
  statementTimeoutMs?: number;
  /** PostgreSQL only: pool size. Default 10. */
  maxConnections?: number;
  /**
   * PostgreSQL only: the most user records a tenant's read cache holds (read-cache.ts).
   * Default 10,000 (a few MiB); 0 sends every read to the database.
   */
  readCacheRecords?: number;
  /** Embedded store only: lock heartbeat and what to do when the lock is lost. */
  lock?: LockOptions;
  onIdleError?: (error: Error) => void;
  /** PostgreSQL with a read cache: told when the change feed stops listening. */
  onChangeFeedLost?: (error: Error) => void;
}

/** Opens the configured backend and migrates it. Throws DataDirLockedError (SQLite) if taken. */
export async function openStore(config: StoreConfig): Promise<Store> {
  if (config.tenant.trim() === "") throw new Error("store: tenant must not be empty");
  return (await openDatabase(config)).storeFor(config.tenant);
}

/** Opens and migrates the configured backend (`config.tenant` is not used). */
export async function openDatabase(config: StoreConfig): Promise<StoreDatabase> {
  if (config.databaseUrl) {
    // Loaded only here: an embedded-store tenant never pays for the pg client's code.
    const { openPostgresDatabase } = await import("./postgres-database.js");
    const db = await openPostgresDatabase({ ...config, databaseUrl: config.databaseUrl });
    return database("postgres", db.migrations, db.close, db.repositories);
  }
  const sqlite = await openSqlite({
    dataDir: config.dataDir,
    ...(config.lock && { lock: config.lock }),
  });
  return database("sqlite", sqlite.migrations, sqlite.close, (tenant) => ({
    users: sqliteUserRepository(sqlite.db, tenant, sqlite.usersWritten),
    counters: sqliteCounterRepository(sqlite.db, tenant),
  }));
}

/** A backend's repositories for one tenant. */
export type TenantRepositories = (
  tenant: string,
) => Pick<Store, "users" | "counters"> & Partial<Pick<Store, "readCacheStats">>;

function database(
  backend: Backend,
  migrations: MigrationReport,
  close: () => Promise<void>,
  repositories: TenantRepositories,
): StoreDatabase {
  return {
    backend,
    migrations,
    close,
    storeFor: (tenant) => ({ backend, tenant, migrations, close, ...repositories(tenant) }),
  };
}
