/**
 * The PostgreSQL read cache against a real server: two replicas (two stores, each with its
 * own pool and change feed) on one database, a writer by hand, and a lost listener.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../test/cluster/readiness.js";
import { testDatabases } from "../../test/postgres/databases.js";
import { ReadCache } from "./read-cache.js";
import { type ChangeFeed, startChangeFeed } from "./change-feed.js";
import { openPostgres } from "./postgres.js";
import { type Store, openStore } from "./store.js";
import { searchKey } from "./search-key.js";
import { userRecord as user } from "./testing/user-record.js";
import type { UserRecord } from "./users-repo.js";

/** Notifications are asynchronous by nature: poll for their effect. */
const eventually = (check: () => Promise<boolean> | boolean, what: string): Promise<void> =>
  waitFor(what, async () => check(), 10_000);

const live = (store: Store): boolean => store.readCacheStats?.().live === true;

describe("the read cache on PostgreSQL", () => {
  const dbs = testDatabases("postgres");
  beforeAll(() => dbs.start());
  afterAll(() => dbs.stop());

  it("serves repeated reads from memory and sees every other writer's commit", async () => {
    const where = await dbs.fresh();
    const a = await openStore({ tenant: "acme", ...where });
    const b = await openStore({ tenant: "acme", ...where });
    const globex = await openStore({ tenant: "globex", ...where });
    const byHand = await openPostgres({ connectionString: where.databaseUrl! });
    try {
      await eventually(() => live(a) && live(b) && live(globex), "the change feeds listen");
      const start = a.readCacheStats!();
      await a.users.insert(user(1));
      expect(await a.users.list(10)).toEqual([user(1)]); // its own write, read at once
      // Its own insert is applied twice: when answered, and when its notification comes.
      await eventually(
        () => a.readCacheStats!().insertsApplied === start.insertsApplied + 2,
        "replica a hears of its own write",
      );
      expect(a.readCacheStats!().invalidations).toBe(start.invalidations);
      expect(await a.users.list(10)).toEqual([user(1)]);
      const before = a.readCacheStats!();
      expect(await a.users.list(10)).toEqual([user(1)]); // nothing written since: from memory
      expect(a.readCacheStats!()).toMatchObject({
        hits: before.hits + 1,
        misses: before.misses,
        records: 1,
      });

      // Another tenant's write leaves acme's cache alone.
      await globex.users.insert(user(7));
      await new Promise((done) => setTimeout(done, 200));
      expect(a.readCacheStats!().records).toBe(1);

      // Another replica's write reaches replica a through its notification.
      await b.users.insert(user(2));
      await eventually(
        async () => (await a.users.list(10)).length === 2,
        "replica a lists replica b's user",
      );

      // So does a write that no replica made (a person with psql, a migration).
      expect(await a.users.getByEmail("user3@example.com")).toBeUndefined();
      await byHand.query(
        `INSERT INTO users (tenant, id, email, first_name, last_name, age, first_key, last_key)
         VALUES ('acme', 'u3', 'user3@example.com', 'First3', 'Last3', 23, 'first3', 'last3')`,
      );
      await eventually(
        async () => (await a.users.getByEmail("user3@example.com")) !== undefined,
        "replica a finds the user inserted by hand",
      );
      await byHand.query(`DELETE FROM users WHERE tenant = 'acme' AND id = 'u3'`);
      await eventually(
        async () => (await a.users.getByEmail("user3@example.com")) === undefined,
        "replica a no longer finds the deleted user",
      );
      await byHand.query(`TRUNCATE users`);
      await eventually(
        async () => (await b.users.list(10)).length === 0,
        "replica b sees the truncation",
      );
    } finally {
      await byHand.close();
      await Promise.all([a.close(), b.close(), globex.close()]);
    }
  }, 60_000);

  it("answers as the database does after inserts from anywhere, without reading again", async () => {
    const where = await dbs.fresh();
    const a = await openStore({ tenant: "acme", ...where });
    const b = await openStore({ tenant: "acme", ...where });
    const uncached = await openStore({ tenant: "acme", readCacheRecords: 0, ...where });
    const byHand = await openPostgres({ connectionString: where.databaseUrl! });
    // Emails whose UTF-8 (collation "C") order is not JavaScript's, names that search folds.
    const tricky = (n: number, email: string, firstName: string, age: number): UserRecord =>
      user(n, { email, firstName, age });
    const seed = [
      tricky(1, "b@example.com", "Maël", 30),
      tricky(2, "\uE000b@example.com", "Zoë", 31),
      tricky(3, "😀b@example.com", "Anders", 30),
      tricky(4, "éb@example.com", "MAEL", 32),
      tricky(5, "zb@example.com", "Søren", 31),
    ];
    const newcomers = [
      tricky(11, "a@example.com", "mael", 30),
      tricky(12, "\uE000a@example.com", "Ines", 31),
      tricky(13, "😀a@example.com", "Maëlle", 30),
      tricky(14, "éa@example.com", "Zoe", 33),
      tricky(15, "zz@example.com", "Émael", 31),
      tricky(16, "c@example.com", "Hiro", 29),
    ];
    const reads = (store: Store) => [
      store.users.list(3),
      store.users.list(1001),
      store.users.searchName("mael", 2),
      store.users.searchName("MAEL", 1001),
      store.users.searchName("e", 3),
      store.users.searchAge(30, 31, 2),
      store.users.searchAge(30, 31, 1001),
      store.users.getByEmail("c@example.com"),
      store.users.getByEmail("b@example.com"),
    ];
    try {
      await eventually(() => live(a) && live(b), "the change feeds listen");
      const emptied = a.readCacheStats!().invalidations;
      await b.users.insertMany(seed); // many users: a notification naming the tenant
      await eventually(
        () => a.readCacheStats!().invalidations === emptied + 1,
        "replica a hears of the bulk insert",
      );
      await Promise.all(reads(a)); // held from here on
      const held = a.readCacheStats!();

      for (const [i, newcomer] of newcomers.entries()) {
        if (i % 3 === 0) expect(await a.users.insert(newcomer)).toBe("created");
        else if (i % 3 === 1) expect(await b.users.insert(newcomer)).toBe("created");
        else {
          await byHand.query(
            `INSERT INTO users (tenant, id, email, first_name, last_name, age, phone, address,
                                first_key, last_key)
             VALUES ('acme', $1, $2, $3, $4, $5, $6, $7, $8, $9)`,
            [
              newcomer.id,
              newcomer.email,
              newcomer.firstName,
              newcomer.lastName,
              newcomer.age,
              newcomer.phone,
              newcomer.address,
              searchKey(newcomer.firstName),
              searchKey(newcomer.lastName),
            ],
          );
        }
      }
      // Its own two inserts twice each (answered, notified), the four others once.
      await eventually(
        () => a.readCacheStats!().insertsApplied === held.insertsApplied + 8,
        "replica a hears of every insert",
      );
      const answers = await Promise.all(reads(a));
      expect(answers).toEqual(await Promise.all(reads(uncached)));
      expect((answers[0] as UserRecord[]).map((u) => u.id)).toEqual(["u11", "u1", "u16"]);
      const after = a.readCacheStats!();
      expect(after.misses).toBe(held.misses); // all from memory
      expect(after.invalidations).toBe(held.invalidations); // never emptied

      // A user too large for a notification's payload is sent as the tenant's name.
      const large = user(20, { lastName: "😀".repeat(2_100) });
      await b.users.insert(large);
      await eventually(
        () => a.readCacheStats!().invalidations === after.invalidations + 1,
        "replica a empties its cache for the large user",
      );
      expect(await a.users.searchAge(0, 150, 1001)).toEqual(
        await uncached.users.searchAge(0, 150, 1001),
      );
    } finally {
      await byHand.close();
      await Promise.all([a.close(), b.close(), uncached.close()]);
    }
  }, 60_000);

  it("still notifies the channel of earlier releases, for a rolling upgrade", async () => {
    const where = await dbs.fresh();
    const store = await openStore({ tenant: "acme", readCacheRecords: 0, ...where });
    const earlier = new pg.Client({ connectionString: where.databaseUrl! });
    const heard: string[] = [];
    try {
      await earlier.connect();
      earlier.on("notification", ({ payload }) => heard.push(payload ?? ""));
      await earlier.query("LISTEN tenant_users_changed");
      await store.users.insert(user(1));
      await store.users.insertMany([user(2), user(3)]);
      await eventually(() => heard.length >= 2, "the earlier release's channel hears both");
      expect(heard).toEqual(["acme", "acme"]);
    } finally {
      await earlier.end();
      await store.close();
    }
  });

  it("never hides a write made while its listener was gone, and caches again once back", async () => {
    const where = await dbs.fresh();
    const losses: string[] = [];
    const store = await openStore({
      tenant: "acme",
      ...where,
      onChangeFeedLost: (error) => losses.push(error.message),
    });
    const byHand = await openPostgres({ connectionString: where.databaseUrl! });
    try {
      await eventually(() => live(store), "the change feed listens");
      expect(await store.users.list(10)).toEqual([]);
      expect(await store.users.list(10)).toEqual([]); // held in memory now
      const killed = await byHand.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
         WHERE application_name = 'tenant-service-changes' AND datname = current_database()`,
      );
      expect(killed[0]!.n).toBe(1);
      await eventually(() => losses.length > 0, "the feed reports its listener lost");

      // Its notification went nowhere; the cached empty List must not survive it.
      await byHand.query(
        `INSERT INTO users (tenant, id, email, first_name, last_name, age, address, first_key, last_key)
         VALUES ('acme', 'u1', 'user1@example.com', 'First1', 'Last1', 21, '1 Main St', 'first1', 'last1')`,
      );
      expect(await store.users.list(10)).toEqual([user(1)]);

      await eventually(() => live(store), "the change feed listens again");
      await eventually(async () => {
        const { hits } = store.readCacheStats!();
        expect(await store.users.list(10)).toEqual([user(1)]);
        return store.readCacheStats!().hits > hits;
      }, "List is served from memory again");
    } finally {
      await byHand.close();
      await store.close();
    }
  }, 60_000);

  it("counts a listener that stops answering as lost (heartbeat)", async () => {
    const where = await dbs.fresh();
    // Migrates; without a feed of its own, whose closing backend could be the one found below.
    await (await openStore({ tenant: "acme", readCacheRecords: 0, ...where })).close();
    const byHand = await openPostgres({ connectionString: where.databaseUrl! });
    const cache = new ReadCache(100);
    const losses: string[] = [];
    let feed: ChangeFeed | undefined;
    let frozen: number | undefined;
    try {
      feed = startChangeFeed({
        connectionString: where.databaseUrl!,
        heartbeatMs: 300,
        onLost: (error) => losses.push(error.message),
      });
      feed.register("acme", cache);
      await eventually(() => cache.stats().live, "the change feed listens");
      const [row] = await byHand.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
         WHERE application_name = 'tenant-service-changes' AND datname = current_database()`,
      );
      frozen = row!.pid;
      process.kill(frozen, "SIGSTOP"); // its backend hangs: no error, no answer
      // Given up (and the cache emptied and bypassed) at once; a new listener follows soon.
      await eventually(() => losses.length > 0, "the silent listener is given up");
      expect(losses[0]).toMatch(/heartbeat NOTIFY did not come back/);
      process.kill(frozen, "SIGCONT");
      frozen = undefined;
      await eventually(() => cache.stats().live, "a new listener");
    } finally {
      if (frozen !== undefined) process.kill(frozen, "SIGCONT");
      await feed?.close();
      await byHand.close();
    }
  }, 60_000);

  it("is off with a budget of 0: every read goes to the database", async () => {
    const store = await openStore({ tenant: "acme", readCacheRecords: 0, ...(await dbs.fresh()) });
    try {
      expect(store.readCacheStats).toBeUndefined();
      expect(await store.users.list(10)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
