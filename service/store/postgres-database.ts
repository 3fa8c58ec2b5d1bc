/**
 * The PostgreSQL backend of store.ts, in a module of its own so that only a tenant with
 * DATABASE_URL loads the pg client (store.ts imports this file when it needs it): opens the
 * pool, migrates, and, with a read cache, listens for other replicas' writes (change-feed.ts).
 */
import { startChangeFeed } from "./change-feed.js";
import { counterRepository } from "./counter-repo.js";
import { type MigrationReport, migrate } from "./migrations.js";
import { openPostgres } from "./postgres.js";
import { ReadCache, cachedUserRepository } from "./read-cache.js";
import type { StoreConfig, TenantRepositories } from "./store.js";
import { userRepository } from "./users-repo.js";

const DEFAULT_READ_CACHE_RECORDS = 10_000;

export interface PostgresDatabase {
  migrations: MigrationReport;
  close: () => Promise<void>;
  repositories: TenantRepositories;
}

export async function openPostgresDatabase(
  config: StoreConfig & { databaseUrl: string },
): Promise<PostgresDatabase> {
  const db = await openPostgres({
    connectionString: config.databaseUrl,
    ...(config.statementTimeoutMs !== undefined && {
      statementTimeoutMs: config.statementTimeoutMs,
    }),
    ...(config.maxConnections !== undefined && { maxConnections: config.maxConnections }),
    ...(config.onIdleError && { onIdleError: config.onIdleError }),
  });
  let migrations: MigrationReport;
  try {
    migrations = await migrate(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  const cacheRecords = config.readCacheRecords ?? DEFAULT_READ_CACHE_RECORDS;
  const feed =
    cacheRecords > 0
      ? startChangeFeed({
          connectionString: config.databaseUrl,
          ...(config.onChangeFeedLost && { onLost: config.onChangeFeedLost }),
        })
      : undefined;
  const close = async (): Promise<void> => {
    await feed?.close();
    await db.close();
  };
  const repositories: TenantRepositories = (tenant) => {
    const users = userRepository(db, tenant);
    const counters = counterRepository(db, tenant);
    if (!feed) return { users, counters };
    const cache = new ReadCache(cacheRecords);
    feed.register(tenant, cache);
    return {
      users: cachedUserRepository(users, cache),
      counters,
      readCacheStats: () => cache.stats(),
    };
  };
  return { migrations, close, repositories };
}
