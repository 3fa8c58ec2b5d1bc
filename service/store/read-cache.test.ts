import { describe, expect, it } from "vitest";
import { ReadCache, cachedUserRepository } from "./read-cache.js";
import { userRecord as user } from "./testing/user-record.js";
import type { UserRecord, UserRepository } from "./users-repo.js";

/** A repository over an array that counts its reads; `gate` holds reads until released. */
function arrayRepo(rows: UserRecord[]) {
  const calls = { reads: 0 };
  let gate: Promise<void> = Promise.resolve();
  const read = async <T>(value: () => T): Promise<T> => {
    calls.reads++;
    const snapshot = value(); // what the database saw when the query ran
    await gate;
    return snapshot;
  };
  const repo: UserRepository = {
    insert: async (u) => (rows.push(u), "created"),
    insertMany: async (us) => (rows.push(...us), us.length),
    list: (limit) => read(() => rows.slice(0, limit)),
    getByEmail: (email) => read(() => rows.find((u) => u.email === email)),
    searchName: (needle, limit) =>
      read(() => rows.filter((u) => u.firstName.includes(needle)).slice(0, limit)),
    searchAge: (from, to, limit) =>
      read(() => rows.filter((u) => u.age >= from && u.age <= to).slice(0, limit)),
    count: async () => rows.length,
    analyze: async () => undefined,
    explainSearchName: async () => [],
  };
  return {
    repo,
    calls,
    hold: (): (() => void) => {
      let release!: () => void;
      gate = new Promise((done) => (release = done));
      return release;
    },
  };
}

/** A live cache of `budget` records over `repo`, and the repository reading through it. */
function liveCache(repo: UserRepository, budget = 100) {
  const cache = new ReadCache(budget);
  cache.setLive(true);
  return { cache, users: cachedUserRepository(repo, cache) };
}

describe("the user read cache", () => {
  it("serves a repeated read from memory while live, and every read from the store when not", async () => {
    const { repo, calls } = arrayRepo([user(1), user(2)]);
    const cache = new ReadCache(100);
    const users = cachedUserRepository(repo, cache);

    await users.list(10);
    await users.list(10);
    expect(calls.reads).toBe(2); // not live yet: nothing is kept

    cache.setLive(true);
    expect(await users.list(10)).toHaveLength(2);
    expect(await users.list(10)).toHaveLength(2);
    expect(await users.getByEmail("user1@example.com")).toEqual(user(1));
    expect(await users.getByEmail("user1@example.com")).toEqual(user(1));
    expect(calls.reads).toBe(4);
    expect(cache.stats()).toMatchObject({ live: true, hits: 2, misses: 2, records: 3 });
    expect(cache.stats().invalidations).toBe(1); // going live starts empty

    await users.list(1); // another limit is another result
    expect(calls.reads).toBe(5);

    cache.setLive(false);
    await users.list(10);
    expect(calls.reads).toBe(6);
  });

  it("empties on its own writes, so a replica reads what it wrote", async () => {
    const { repo } = arrayRepo([user(1)]);
    const { users } = liveCache(repo);
    expect(await users.list(10)).toHaveLength(1);
    await users.insert(user(2));
    expect(await users.list(10)).toHaveLength(2);
    await users.insertMany([user(3)]);
    expect(await users.searchAge(0, 150, 10)).toHaveLength(3);
    expect(await users.list(10)).toHaveLength(3);
  });

  it("does not keep a read that was in flight when the cache was emptied", async () => {
    const { repo, calls, hold } = arrayRepo([user(1)]);
    const { cache, users } = liveCache(repo);

    const release = hold();
    const before = users.list(10); // runs against the old rows
    await repo.insert(user(2)); // another replica's write...
    cache.invalidate(); // ...whose notification arrives before the read's answer
    release();
    expect(await before).toHaveLength(1); // the caller gets what the query saw
    expect(await users.list(10)).toHaveLength(2); // but it was not kept
    expect(calls.reads).toBe(2);
  });

  it("shares one load between concurrent misses of a key, and forgets a failed one", async () => {
    const { repo, calls, hold } = arrayRepo([user(1)]);
    const { cache, users } = liveCache(repo);
    const release = hold();
    const both = Promise.all([users.list(10), users.list(10)]);
    release();
    await both;
    expect(calls.reads).toBe(1);

    let fail = true;
    const flaky = cachedUserRepository(
      {
        ...repo,
        getByEmail: async () => {
          if (fail) throw new Error("connection reset");
          return user(9);
        },
      },
      cache,
    );
    await expect(flaky.getByEmail("x@example.com")).rejects.toThrow("connection reset");
    fail = false;
    expect(await flaky.getByEmail("x@example.com")).toEqual(user(9));
  });

  it("holds at most its record budget, dropping the oldest results first", async () => {
    const { repo, calls } = arrayRepo([user(1), user(2), user(3)]);
    const { cache, users } = liveCache(repo, 5);
    await users.list(3); // 3 records
    await users.list(2); // 5
    await users.getByEmail("user1@example.com"); // 6 > 5: list(3) goes
    expect(cache.stats().records).toBe(3);
    const reads = calls.reads;
    await users.list(2);
    expect(calls.reads).toBe(reads); // still held
    await users.list(3);
    expect(calls.reads).toBe(reads + 1); // dropped, read again
  });

  it("hands out frozen results, so no caller can change what another is given", async () => {
    const { repo } = arrayRepo([user(1)]);
    const { users } = liveCache(repo);
    const rows = await users.list(10);
    expect(Object.isFrozen(rows)).toBe(true);
    expect(Object.isFrozen(rows[0])).toBe(true);
  });
});
