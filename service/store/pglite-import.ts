/**
 * One-time upgrade of a data directory written by earlier releases, whose embedded store was
 * PGlite (PostgreSQL in WebAssembly): at the first open with SQLite, its users and counters
 * are copied into the SQLite file, in one SQLite transaction that also records the import,
 * so a crash mid-way leaves nothing half-done and the next start simply imports again.
 * Counters keep their next value, so no value handed out before the upgrade is ever repeated.
 *
 * PGlite is loaded only here, only when such a directory is found (it costs ~300 MiB while it
 * runs); its files are left in place, untouched, for a manual rollback.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { DatabaseSync } from "node:sqlite";
import { searchKey } from "./search-key.js";
import type { UserRow } from "./users-repo.js";

export interface PgliteImport {
  users: number;
  counters: number;
}

/** Rows read from PGlite per page: bounds memory at any table size. */
const PAGE = 5_000;

/** True when `dataDir` holds a PGlite database not yet imported into `db`. */
export function needsPgliteImport(dataDir: string, db: DatabaseSync): boolean {
  if (!existsSync(join(dataDir, "PG_VERSION"))) return false;
  db.exec(`CREATE TABLE IF NOT EXISTS store_imports (
             source      TEXT PRIMARY KEY,
             imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
           )`);
  return db.prepare(`SELECT 1 FROM store_imports WHERE source = 'pglite'`).get() === undefined;
}

/** A users row of the earlier release's PGlite database. */
interface PgUser extends UserRow {
  tenant: string;
}

/** Copies users and counters from the PGlite database in `dataDir` into `db`. */
export async function importPglite(dataDir: string, db: DatabaseSync): Promise<PgliteImport> {
  const { PGlite } = await import("@electric-sql/pglite");
  const { pg_trgm } = await import("@electric-sql/pglite/contrib/pg_trgm");
  const pg = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  try {
    const hasTables = await pg.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('users', 'counters')`,
    );
    if (hasTables.rows[0]?.n !== 2) return copy(db, [], []);
    const users: PgUser[] = [];
    for (let after = { tenant: "", id: "" }; ;) {
      const page = await pg.query<PgUser>(
        `SELECT tenant, id, email, first_name, last_name, age, phone, address FROM users
         WHERE (tenant, id) > ($1, $2) ORDER BY tenant, id LIMIT ${PAGE}`,
        [after.tenant, after.id],
      );
      users.push(...page.rows);
      if (page.rows.length < PAGE) break;
      const last = page.rows[page.rows.length - 1]!;
      after = { tenant: last.tenant, id: last.id };
    }
    const counters = await pg.query<{ tenant: string; name: string; next_value: string }>(
      `SELECT tenant, name, next_value::text AS next_value FROM counters`,
    );
    return copy(db, users, counters.rows);
  } finally {
    await pg.close();
  }
}

function copy(
  db: DatabaseSync,
  users: readonly PgUser[],
  counters: readonly { tenant: string; name: string; next_value: string }[],
): PgliteImport {
  const insertUser = db.prepare(
    `INSERT INTO users (tenant, id, email, first_name, last_name, age, phone, address,
                        first_key, last_key)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
  );
  // Never move a counter backwards, whatever is already in the SQLite file.
  const insertCounter = db.prepare(
    `INSERT INTO counters (tenant, name, next_value) VALUES (?, ?, ?)
     ON CONFLICT (tenant, name) DO UPDATE SET next_value = max(next_value, excluded.next_value)`,
  );
  db.exec(`BEGIN IMMEDIATE`);
  try {
    let imported = 0;
    for (const u of users) {
      const row = [u.tenant, u.id, u.email, u.first_name, u.last_name, Number(u.age)];
      const keys = [searchKey(u.first_name), searchKey(u.last_name)];
      imported += Number(insertUser.run(...row, u.phone, u.address, ...keys).changes);
    }
    for (const c of counters) insertCounter.run(c.tenant, c.name, BigInt(c.next_value));
    db.prepare(`INSERT INTO store_imports (source) VALUES ('pglite')`).run();
    db.exec(`COMMIT`);
    return { users: imported, counters: counters.length };
  } catch (error) {
    if (db.isTransaction) db.exec(`ROLLBACK`);
    throw error;
  }
}
