import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { indexMerger } from "./fts-merge.js";
import { migrateSqlite } from "./sqlite-migrations.js";
import { sqliteUserRepository } from "./sqlite-repos.js";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function freshDb(): DatabaseSync {
  const dir = mkdtempSync(join(tmpdir(), "fts-merge-"));
  dirs.push(dir);
  const db = new DatabaseSync(join(dir, "store.sqlite"));
  migrateSqlite(db);
  return db;
}

/** Pages of the trigram index: one more segment, more pages (and more work per search). */
const indexPages = (db: DatabaseSync): number =>
  Number(db.prepare(`SELECT count(*) AS n FROM users_name_trgm_data`).get()?.n);

describe("the trigram index merger", () => {
  it("merges the segments that one-by-one inserts leave, and search answers the same", async () => {
    const db = freshDb();
    const users = sqliteUserRepository(db, "acme");
    for (let i = 0; i < 30; i++) {
      await users.insert({
        id: String(i),
        email: `u${String(i).padStart(2, "0")}@example.com`,
        firstName: i % 7 === 0 ? "Maël" : `First${i}`,
        lastName: i % 5 === 0 ? "Okafor" : `Last${i}`,
        age: 20 + i,
        phone: "",
        address: "",
      });
    }
    const found = async () => (await users.searchName("okafor", 1000)).map((u) => u.id);
    const before = {
      pages: indexPages(db),
      okafor: await found(),
      mael: await users.searchName("mael", 1000),
    };
    expect(before.okafor).toHaveLength(6);
    expect(before.mael).toHaveLength(5);

    const merger = indexMerger(db, { idleMs: 0 });
    merger.written();
    await expect.poll(() => indexPages(db), { timeout: 10_000 }).toBeLessThan(before.pages);
    await expect.poll(() => indexPages(db), { timeout: 10_000 }).toBeLessThanOrEqual(3);
    expect(await found()).toEqual(before.okafor);
    expect(await users.searchName("mael", 1000)).toEqual(before.mael);
    merger.stop();
    db.close();
  });

  /** 30 users, one transaction each: FTS5 leaves several segments (17 pages here). */
  async function usersOneByOne(db: DatabaseSync): Promise<void> {
    const users = sqliteUserRepository(db, "acme");
    for (let i = 0; i < 30; i++) {
      const user = {
        id: String(i),
        email: `u${i}@example.com`,
        firstName: `First${i}`,
        lastName: `Last${i}`,
      };
      await users.insert({ ...user, age: 30, phone: "", address: "" });
    }
  }

  it("merges nothing once stopped (the database is about to close)", async () => {
    const db = freshDb();
    await usersOneByOne(db);
    const pages = indexPages(db);
    const merger = indexMerger(db, { idleMs: 0 });
    merger.written();
    merger.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(indexPages(db)).toBe(pages);
    db.close();
    merger.written(); // after close: no throw, no timer left behind
  });

  it("leaves an index larger than maxPages to FTS5's automerge", async () => {
    const db = freshDb();
    await usersOneByOne(db);
    const pages = indexPages(db);
    const small = indexMerger(db, { idleMs: 0, maxPages: pages - 1 });
    small.written();
    await new Promise((r) => setTimeout(r, 100));
    expect(indexPages(db)).toBe(pages);
    small.stop();
    const large = indexMerger(db, { idleMs: 0, maxPages: pages });
    large.written();
    await expect.poll(() => indexPages(db), { timeout: 10_000 }).toBeLessThan(pages);
    large.stop();
    db.close();
  });
});
