/**
 * The embedded store's schema (SQLite). Same tables, keys and orders as the PostgreSQL
 * schema in migrations.ts; applied in order at open inside one IMMEDIATE transaction and
 * recorded in schema_migrations. Only one process opens a data directory (lock.ts), so no
 * cross-process coordination is needed beyond SQLite's own write lock.
 */
import type { DatabaseSync } from "node:sqlite";
import type { MigrationReport } from "./migrations.js";

interface SqliteMigration {
  version: number;
  name: string;
  statements: string[];
}

export const SQLITE_MIGRATIONS: readonly SqliteMigration[] = [
  {
    version: 1,
    name: "users, counters and the name search index",
    statements: [
      // BINARY collation orders UTF-8 bytes, the same List order as PostgreSQL's "C".
      // Emails are stored lower-cased (users/validate.ts), so the unique index ignores case.
      // first_key/last_key hold searchKey(name) (search-key.ts), written by the code.
      `CREATE TABLE users (
         tenant     TEXT NOT NULL,
         id         TEXT NOT NULL,
         email      TEXT NOT NULL,
         first_name TEXT NOT NULL,
         last_name  TEXT NOT NULL,
         age        INTEGER NOT NULL CHECK (age BETWEEN 0 AND 150),
         phone      TEXT NOT NULL DEFAULT '',
         address    TEXT NOT NULL DEFAULT '',
         created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
         first_key  TEXT NOT NULL,
         last_key   TEXT NOT NULL,
         CONSTRAINT users_pkey PRIMARY KEY (tenant, id)
       )`,
      `CREATE UNIQUE INDEX users_tenant_email_key ON users (tenant, email)`,
      `CREATE INDEX users_tenant_age_email_idx ON users (tenant, age, email)`,
      // SearchName: a trigram full-text index over the keys answers substring matches of 3+
      // characters without reading the table; kept in step with users by the triggers.
      `CREATE VIRTUAL TABLE users_name_trgm USING fts5(
         first_key, last_key, content = 'users', content_rowid = 'rowid', tokenize = 'trigram'
       )`,
      `CREATE TRIGGER users_name_trgm_insert AFTER INSERT ON users BEGIN
         INSERT INTO users_name_trgm (rowid, first_key, last_key)
         VALUES (new.rowid, new.first_key, new.last_key);
       END`,
      `CREATE TRIGGER users_name_trgm_delete AFTER DELETE ON users BEGIN
         INSERT INTO users_name_trgm (users_name_trgm, rowid, first_key, last_key)
         VALUES ('delete', old.rowid, old.first_key, old.last_key);
       END`,
      `CREATE TRIGGER users_name_trgm_update AFTER UPDATE ON users BEGIN
         INSERT INTO users_name_trgm (users_name_trgm, rowid, first_key, last_key)
         VALUES ('delete', old.rowid, old.first_key, old.last_key);
         INSERT INTO users_name_trgm (rowid, first_key, last_key)
         VALUES (new.rowid, new.first_key, new.last_key);
       END`,
      // next_value must stay an integer: SQLite would silently turn an overflow into a float.
      `CREATE TABLE counters (
         tenant     TEXT NOT NULL,
         name       TEXT NOT NULL,
         next_value INTEGER NOT NULL CHECK (typeof(next_value) = 'integer' AND next_value >= 1),
         CONSTRAINT counters_pkey PRIMARY KEY (tenant, name)
       ) WITHOUT ROWID`,
    ],
  },
];

/** Brings the schema up to date; returns the versions it applied. */
export function migrateSqlite(
  db: DatabaseSync,
  migrations: readonly SqliteMigration[] = SQLITE_MIGRATIONS,
): MigrationReport {
  db.exec(`BEGIN IMMEDIATE`);
  try {
    db.exec(
      `CREATE TABLE IF NOT EXISTS schema_migrations (
         version    INTEGER PRIMARY KEY,
         name       TEXT NOT NULL,
         applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
       )`,
    );
    const done = new Set(
      db
        .prepare(`SELECT version FROM schema_migrations`)
        .all()
        .map((row) => Number(row.version)),
    );
    const report: MigrationReport = { applied: [], skipped: [] };
    const record = db.prepare(`INSERT INTO schema_migrations (version, name) VALUES (?, ?)`);
    for (const migration of migrations) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) db.exec(statement);
      record.run(migration.version, migration.name);
      report.applied.push(migration.version);
    }
    db.exec(`COMMIT`);
    return report;
  } catch (error) {
    if (db.isTransaction) db.exec(`ROLLBACK`);
    throw error;
  }
}
