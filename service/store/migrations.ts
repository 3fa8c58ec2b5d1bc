/**
 * PostgreSQL's schema migrations (the embedded store's are in sqlite-migrations.ts). Applied in order at start,
 * each recorded in schema_migrations; all of them run in one transaction that first takes
 * a transaction-scoped advisory lock, so replicas starting at once apply each migration
 * exactly once (the others wait, then find nothing left to do).
 */
import { USER_CHANGES_CHANNEL } from "./change-feed.js";
import { searchKey } from "./search-key.js";
import type { SqlClient, SqlDatabase } from "./sql.js";

/** A migration step: SQL, or code that needs data (a back-fill computed in TypeScript). */
export type MigrationStep = string | ((tx: SqlClient) => Promise<void>);

export interface Migration {
  version: number;
  name: string;
  /** Steps run in order inside the migration transaction. */
  statements: MigrationStep[];
  /**
   * When true a failure is tolerated (rolled back to a savepoint, not recorded, retried at
   * the next start): used for indexes that need an extension a managed database may refuse.
   */
  optional?: boolean;
}

/** Arbitrary but fixed: the advisory lock key that serialises migrations across replicas. */
const MIGRATION_LOCK_KEY = 7_283_461_902;

/** Migration 5's channel: releases before migration 6 listen on it, so it still gets every write. */
const USERS_CHANGED_CHANNEL_V5 = "tenant_users_changed";

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
    // Until search ignored diacritics this also built trigram indexes on lower(names);
    // version 3 drops those and version 4 indexes the search keys instead.
    version: 2,
    name: "pg_trgm for name search",
    optional: true,
    statements: [`CREATE EXTENSION IF NOT EXISTS pg_trgm`],
  },
  {
    version: 3,
    name: "search keys: names without case or diacritics",
    statements: [
      `ALTER TABLE users ADD COLUMN IF NOT EXISTS first_key text,
                        ADD COLUMN IF NOT EXISTS last_key text`,
      backfillSearchKeys,
      `ALTER TABLE users ALTER COLUMN first_key SET NOT NULL, ALTER COLUMN last_key SET NOT NULL`,
      `DROP INDEX IF EXISTS users_first_name_trgm_idx`,
      `DROP INDEX IF EXISTS users_last_name_trgm_idx`,
    ],
  },
  {
    version: 4,
    name: "trigram indexes on the search keys",
    optional: true,
    statements: [
      `CREATE EXTENSION IF NOT EXISTS pg_trgm`,
      // SearchName is a substring match on the keys: first_key LIKE '%q%' uses these.
      `CREATE INDEX users_first_key_trgm_idx ON users USING gin (first_key gin_trgm_ops)`,
      `CREATE INDEX users_last_key_trgm_idx ON users USING gin (last_key gin_trgm_ops)`,
    ],
  },
  {
    version: 5,
    name: "notify committed writes to users (read caches, change-feed.ts)",
    statements: [
      // NOTIFY is delivered at commit and folds repeats of one payload within a transaction,
      // so a bulk insert of one tenant's rows sends one message. TRUNCATE has no rows: its
      // empty payload means every tenant.
      `CREATE OR REPLACE FUNCTION notify_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'TRUNCATE' THEN
           PERFORM pg_notify('${USERS_CHANGED_CHANNEL_V5}', '');
         ELSIF TG_OP = 'DELETE' THEN
           PERFORM pg_notify('${USERS_CHANGED_CHANNEL_V5}', OLD.tenant);
         ELSE
           PERFORM pg_notify('${USERS_CHANGED_CHANNEL_V5}', NEW.tenant);
           IF TG_OP = 'UPDATE' AND OLD.tenant <> NEW.tenant THEN
             PERFORM pg_notify('${USERS_CHANGED_CHANNEL_V5}', OLD.tenant);
           END IF;
         END IF;
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER users_changed AFTER INSERT OR UPDATE OR DELETE ON users
       FOR EACH ROW EXECUTE FUNCTION notify_users_changed()`,
      `CREATE TRIGGER users_truncated AFTER TRUNCATE ON users
       FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed()`,
    ],
  },
  {
    // Migration 5's channel stays as it was, for replicas of earlier releases still running
    // (a rolling upgrade); this release listens on a channel of its own, where an insert of
    // one user carries the user, so that caches apply it instead of emptying themselves.
    version: 6,
    name: "notify inserted users with their columns (read caches, change-payload.ts)",
    statements: [
      // The channel is the trigger's argument; migration 5's triggers pass none and keep theirs.
      `CREATE OR REPLACE FUNCTION notify_users_changed() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         channel text := coalesce(TG_ARGV[0], '${USERS_CHANGED_CHANNEL_V5}');
       BEGIN
         IF TG_OP = 'TRUNCATE' THEN
           PERFORM pg_notify(channel, '');
         ELSIF TG_OP = 'DELETE' THEN
           PERFORM pg_notify(channel, OLD.tenant);
         ELSE
           PERFORM pg_notify(channel, NEW.tenant);
           IF TG_OP = 'UPDATE' AND OLD.tenant <> NEW.tenant THEN
             PERFORM pg_notify(channel, OLD.tenant);
           END IF;
         END IF;
         RETURN NULL;
       END $$`,
      // Per statement, with the statement's rows: a bulk insert sends one payload per tenant,
      // not one per row. NOTIFY refuses payloads of 8000 bytes or more: a user that large
      // (long names in a script whose letters take 4 bytes) is sent as its tenant's name.
      `CREATE OR REPLACE FUNCTION notify_users_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
       DECLARE
         payload text;
       BEGIN
         IF (SELECT count(*) FROM inserted) = 1 THEN
           SELECT json_build_object('tenant', tenant, 'inserted', json_build_object(
                    'id', id, 'email', email, 'first_name', first_name, 'last_name', last_name,
                    'age', age, 'phone', phone, 'address', address,
                    'first_key', first_key, 'last_key', last_key))::text
             INTO payload FROM inserted;
           IF octet_length(payload) < 8000 THEN
             PERFORM pg_notify('${USER_CHANGES_CHANNEL}', payload);
             RETURN NULL;
           END IF;
         END IF;
         PERFORM pg_notify('${USER_CHANGES_CHANNEL}', tenant)
           FROM (SELECT DISTINCT tenant FROM inserted) AS tenants;
         RETURN NULL;
       END $$`,
      `CREATE TRIGGER user_inserts AFTER INSERT ON users REFERENCING NEW TABLE AS inserted
       FOR EACH STATEMENT EXECUTE FUNCTION notify_users_inserted()`,
      `CREATE TRIGGER user_changes AFTER UPDATE OR DELETE ON users
       FOR EACH ROW EXECUTE FUNCTION notify_users_changed('${USER_CHANGES_CHANNEL}')`,
      `CREATE TRIGGER user_truncates AFTER TRUNCATE ON users
       FOR EACH STATEMENT EXECUTE FUNCTION notify_users_changed('${USER_CHANGES_CHANNEL}')`,
    ],
  },
];

/** Rows per back-fill batch: bounds the memory the migration needs at any table size. */
const BACKFILL_BATCH = 5_000;

/** Computes first_key/last_key (search-key.ts) for rows written before they existed. */
async function backfillSearchKeys(tx: SqlClient): Promise<void> {
  let after = { tenant: "", id: "" };
  for (;;) {
    const rows = await tx.query<{
      tenant: string;
      id: string;
      first_name: string;
      last_name: string;
    }>(
      `SELECT tenant, id, first_name, last_name FROM users
       WHERE first_key IS NULL AND (tenant, id) > ($1, $2)
       ORDER BY tenant, id LIMIT ${BACKFILL_BATCH}`,
      [after.tenant, after.id],
    );
    if (rows.length === 0) return;
    await tx.query(
      `UPDATE users u SET first_key = k.first_key, last_key = k.last_key
       FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS k(tenant, id, first_key, last_key)
       WHERE u.tenant = k.tenant AND u.id = k.id`,
      [
        rows.map((r) => r.tenant),
        rows.map((r) => r.id),
        rows.map((r) => searchKey(r.first_name)),
        rows.map((r) => searchKey(r.last_name)),
      ],
    );
    const last = rows[rows.length - 1]!;
    after = { tenant: last.tenant, id: last.id };
  }
}

export interface MigrationReport {
  applied: number[];
  skipped: { version: number; error: string }[];
  /** Embedded store: what was copied from an earlier release's PGlite files at this open. */
  importedFromPglite?: { users: number; counters: number };
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
    for (const step of migration.statements) {
      if (typeof step === "string") await tx.query(step);
      else await step(tx);
    }
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
