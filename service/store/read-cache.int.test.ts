/**
 * The PostgreSQL read cache against a real server: two replicas (two stores, each with its
 * own pool and change feed) on one database, a writer by hand, and a lost listener.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "../../test/cluster/readiness.js";
import { testDatabases } from "../../test/postgres/databases.js";
import { ReadCache } from "./read-cache.js";
import { type ChangeFeed, startChangeFeed } from "./change-feed.js";
import { openPostgres } from "./postgres.js";
import { type Store, openStore } from "./store.js";
import { userRecord as user } from "./testing/user-record.js";

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
      const emptied = a.readCacheStats!().invalidations;
      await a.users.insert(user(1));
      expect(await a.users.list(10)).toEqual([user(1)]); // its own write, read at once
      // Its own write empties its cache twice: when answered, and when its notification comes.
      await eventually(
        () => a.readCacheStats!().invalidations === emptied + 2,
        "replica a hears of its own write",
      );
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
