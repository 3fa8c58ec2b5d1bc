/**
 * Schema migrations, identical for PGlite and PostgreSQL. Applied in order at start,
 * each recorded in schema_migrations; all of them run in one transaction that first takes
 * a transaction-scoped advisory lock, so replicas starting at once apply each migration
 * exactly once (the others wait, then find nothing left to do).
 */
import type { SqlClient, SqlDatabase } from "./sql.js";

export interface Migration {
  version: number;
  name: string;
  /** Statements run in order inside the migration transaction. */
  statements: string[];
  /**
   * When true a failure is tolerated (rolled back to a savepoint, not recorded, retried at
   * the next start): used for indexes that need an extension a managed database may refuse.
   */
  optional?: boolean;
}

/** Arbitrary but fixed: the advisory lock key that serialises migrations across replicas. */
const MIGRATION_LOCK_KEY = 7_283_461_902;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "users and counters",
    statements: [
      // Emails are stored lower-cased; "C" collation makes the List order byte order on every
      // server whatever its locale, and lets the unique index serve lookups and sorting.
      `CREATE TABLE users (
         tenant     text NOT NULL,
         id         text NOT NULL,
         email      text COLLATE "C" NOT NULL,
         first_name text NOT NULL,
         last_name  text NOT NULL,
         age        integer NOT NULL CHECK (age BETWEEN 0 AND 150),
         phone      text NOT NULL DEFAULT '',
         address    text NOT NULL DEFAULT '',
         created_at timestamptz NOT NULL DEFAULT now(),
         CONSTRAINT users_pkey PRIMARY KEY (tenant, id),
         CONSTRAINT users_tenant_email_key UNIQUE (tenant, email)
       )`,
      // SearchAge: range scan in (age, email) order, so LIMIT stops early.
      `CREATE INDEX users_tenant_age_email_idx ON users (tenant, age, email)`,
      `CREATE TABLE counters (
         tenant     text NOT NULL,
         name       text NOT NULL,
         next_value bigint NOT NULL CHECK (next_value >= 1),
         CONSTRAINT counters_pkey PRIMARY KEY (tenant, name)
       )`,
    ],
  },
  {
    version: 2,
    name: "trigram indexes for name search",
    optional: true,
    statements: [
      `CREATE EXTENSION IF NOT EXISTS pg_trgm`,
      // SearchName is a case-insensitive substring match: lower(col) LIKE '%q%' uses these.
      // A small pending list (256 kB): PGlite has no autovacuum to merge GIN's pending list,
      // which every search scans linearly; measured, this keeps bulk loads fast (unlike
      // fastupdate = off, 10x slower) and searches fast (unlike the 4 MB default, 4x slower).
      `CREATE INDEX users_first_name_trgm_idx ON users USING gin (lower(first_name) gin_trgm_ops) WITH (gin_pending_list_limit = 256)`,
      `CREATE INDEX users_last_name_trgm_idx ON users USING gin (lower(last_name) gin_trgm_ops) WITH (gin_pending_list_limit = 256)`,
    ],
  },
];

export interface MigrationReport {
  applied: number[];
  skipped: { version: number; error: string }[];
}

/**
 * Brings the schema up to date. Idempotent and safe to run from many processes at once.
 * Index builds may take long on big tables, so the statement timeout is lifted for it.
 */
export async function migrate(
  db: SqlDatabase,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationReport> {
  return db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.query(`SET LOCAL statement_timeout = 0`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version    integer PRIMARY KEY,
         name       text NOT NULL,
         applied_at timestamptz NOT NULL DEFAULT now()
       )`,
    );
    const done = new Set(
      (await tx.query<{ version: number }>(`SELECT version FROM schema_migrations`)).map(
        (r) => r.version,
      ),
    );
    const report: MigrationReport = { applied: [], skipped: [] };
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      const error = await applyOne(tx, migration);
      if (error === undefined) report.applied.push(migration.version);
      else report.skipped.push({ version: migration.version, error });
    }
    return report;
  });
}

/** Applies one migration; returns the error text when an optional one failed. */
async function applyOne(tx: SqlClient, migration: Migration): Promise<string | undefined> {
  if (migration.optional) await tx.query(`SAVEPOINT optional_migration`);
  try {
    for (const statement of migration.statements) await tx.query(statement);
    await tx.query(`INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, [
      migration.version,
      migration.name,
    ]);
    if (migration.optional) await tx.query(`RELEASE SAVEPOINT optional_migration`);
    return undefined;
  } catch (error) {
    if (!migration.optional) throw error;
    await tx.query(`ROLLBACK TO SAVEPOINT optional_migration`);
    return error instanceof Error ? error.message : String(error);
  }
}
