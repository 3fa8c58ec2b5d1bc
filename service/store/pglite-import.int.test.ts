// A data directory written by an earlier release (embedded store = PGlite) keeps its users
// and its counter when the service opens it with the SQLite store.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "./store.js";

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** The schema and data of the previous release's PGlite store (its migrations 1 and 2). */
async function writeOldRelease(dataDir: string): Promise<void> {
  const pg = await PGlite.create(dataDir, { extensions: { pg_trgm } });
  try {
    await pg.exec(`
      CREATE TABLE users (tenant text NOT NULL, id text NOT NULL, email text COLLATE "C" NOT NULL,
        first_name text NOT NULL, last_name text NOT NULL, age integer NOT NULL,
        phone text NOT NULL DEFAULT '', address text NOT NULL DEFAULT '',
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_pkey PRIMARY KEY (tenant, id),
        CONSTRAINT users_tenant_email_key UNIQUE (tenant, email));
      CREATE TABLE counters (tenant text NOT NULL, name text NOT NULL, next_value bigint NOT NULL,
        CONSTRAINT counters_pkey PRIMARY KEY (tenant, name));
      CREATE EXTENSION pg_trgm;
      CREATE INDEX users_first_name_trgm_idx ON users USING gin (lower(first_name) gin_trgm_ops);
      INSERT INTO users (tenant, id, email, first_name, last_name, age)
        SELECT 'acme', 'u' || n, 'user' || n || '@example.com', 'Maël', 'Zoë ' || n, 30
        FROM generate_series(1, 6000) AS n;
      INSERT INTO users (tenant, id, email, first_name, last_name, age)
        VALUES ('other', 'x', 'x@example.com', 'Other', 'Tenant', 40);
      INSERT INTO counters VALUES ('acme', 'default', 9000000000001);
    `);
  } finally {
    await pg.close();
  }
}

describe("upgrading a data directory from the PGlite release", () => {
  it("imports users and counters once, keeping tenants apart and the counter moving on", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "pglite-import-"));
    dirs.push(dataDir);
    await writeOldRelease(dataDir);

    const first = await openStore({ tenant: "acme", dataDir });
    try {
      expect(first.migrations.importedFromPglite).toEqual({ users: 6001, counters: 1 });
      expect(await first.users.count()).toBe(6000);
      expect((await first.users.searchName("zoe 5999", 10)).map((u) => u.id)).toEqual(["u5999"]);
      expect(await first.users.getByEmail("x@example.com")).toBeUndefined();
      expect(await first.counters.reserve("default", 1n)).toBe(9_000_000_000_001n);
    } finally {
      await first.close();
    }

    const again = await openStore({ tenant: "acme", dataDir });
    try {
      expect(again.migrations.importedFromPglite).toBeUndefined();
      expect(await again.counters.reserve("default", 1n)).toBe(9_000_000_000_002n);
      expect(await again.users.count()).toBe(6000);
    } finally {
      await again.close();
    }
  }, 180_000);
});
