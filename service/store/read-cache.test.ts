import { describe, expect, it } from "vitest";
import { ReadCache, cachedUserRepository } from "./read-cache.js";
import { modelRepo as arrayRepo } from "./testing/model-repo.js";
import { userRecord as user } from "./testing/user-record.js";
import type { UserRepository } from "./users-repo.js";

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

  it("applies its own inserts to what it holds, so a replica reads what it wrote at no read", async () => {
    const { repo, calls } = arrayRepo([user(1), user(3)]);
    const { cache, users } = liveCache(repo);
    expect(await users.list(10)).toEqual([user(1), user(3)]);
    expect(await users.searchAge(0, 150, 10)).toHaveLength(2);
    expect(await users.getByEmail("user2@example.com")).toBeUndefined();
    const reads = calls.reads;

    const created = user(2);
    expect(await users.insert(created)).toBe("created");
    expect(Object.isFrozen(created)).toBe(false); // the caller's object stays its own
    expect(await users.list(10)).toEqual([user(1), user(2), user(3)]);
    expect(await users.searchAge(0, 150, 10)).toEqual(await repo.searchAge(0, 150, 10));
    expect(await users.getByEmail("user2@example.com")).toEqual(user(2));
    expect(calls.reads).toBe(reads + 1); // only the comparison's own read above
    expect(cache.stats()).toMatchObject({ insertsApplied: 1, invalidations: 1, records: 7 });

    cache.applyInsert({ user: user(2), firstKey: "first2", lastKey: "last2" }); // its notification
    expect(cache.stats()).toMatchObject({ insertsApplied: 2, invalidations: 1, records: 7 });
    expect(await users.list(10)).toEqual([user(1), user(2), user(3)]);
  });

  it("empties on writes it cannot apply: many users, a refused insert, a failed one", async () => {
    const { repo } = arrayRepo([user(1)]);
    const { cache, users } = liveCache(repo);
    const emptied = (): number => cache.stats().invalidations;
    expect(await users.list(10)).toHaveLength(1);
    await users.insertMany([user(3)]);
    expect(emptied()).toBe(2);
    expect(await users.list(10)).toHaveLength(2);
    // A user with this email exists: perhaps one this cache has not heard of yet.
    expect(await users.insert(user(1, { id: "other" }))).toBe("duplicate-email");
    expect(emptied()).toBe(3);
    const failing = cachedUserRepository(
      { ...repo, insert: () => Promise.reject(new Error("connection lost at commit")) },
      cache,
    );
    await expect(failing.insert(user(4))).rejects.toThrow("connection lost");
    expect(emptied()).toBe(4);
  });

  it("empties when a held user has an inserted user's email but other contents", async () => {
    const { repo } = arrayRepo([user(1)]);
    const { cache, users } = liveCache(repo);
    await users.list(10);
    cache.applyInsert({
      user: user(1, { firstName: "Renamed" }),
      firstKey: "renamed",
      lastKey: "last1",
    });
    expect(cache.stats()).toMatchObject({ invalidations: 2, records: 0 });
  });

  it("empties rather than apply a user whose text is not well-formed Unicode", async () => {
    const { repo } = arrayRepo([user(1)]);
    const { cache, users } = liveCache(repo);
    await users.list(10);
    cache.applyInsert({
      user: user(2, { lastName: "x\uDC00" }),
      firstKey: "first2",
      lastKey: "x\uDC00",
    });
    expect(cache.stats()).toMatchObject({ invalidations: 2, insertsApplied: 0, records: 0 });
  });

  it("does not keep a read that was in flight when an insert was applied", async () => {
    const { repo, calls, hold } = arrayRepo([user(1)]);
    const { cache, users } = liveCache(repo);
    const release = hold();
    const before = users.list(10); // runs against the old rows
    await repo.insert(user(2)); // another replica's write...
    cache.applyInsert({ user: user(2), firstKey: "first2", lastKey: "last2" }); // ...notified first
    release();
    expect(await before).toHaveLength(1);
    expect(await users.list(10)).toHaveLength(2);
    expect(calls.reads).toBe(2);
  });

  it("keeps within its budget when applied inserts grow what it holds", async () => {
    const { repo } = arrayRepo([user(1), user(2)]);
    const { cache, users } = liveCache(repo, 4);
    await users.list(10); // 2
    await users.searchAge(0, 150, 10); // 4
    await repo.insert(user(3));
    cache.applyInsert({ user: user(3), firstKey: "first3", lastKey: "last3" }); // 6 > 4
    expect(cache.stats().records).toBe(3); // the result read least recently went
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

  it("holds at most its record budget, dropping the least recently read results first", async () => {
    const { repo, calls } = arrayRepo([user(1), user(2), user(3)]);
    const { cache, users } = liveCache(repo, 5);
    await users.list(3); // 3 records
    await users.list(2); // 5
    await users.list(3); // a hit: list(3) is now the most recently read
    await users.getByEmail("user1@example.com"); // 6 > 5: list(2), read least recently, goes
    expect(cache.stats().records).toBe(4);
    const reads = calls.reads;
    await users.list(3);
    expect(calls.reads).toBe(reads); // still held, though it was loaded first
    await users.list(2);
    expect(calls.reads).toBe(reads + 1); // dropped, read again
  });

  it("hands out frozen results after an insert was applied to them too", async () => {
    const { repo } = arrayRepo([user(1)]);
    const { users } = liveCache(repo);
    await users.list(10);
    await users.insert(user(2));
    const listed = await users.list(10);
    expect(listed).toHaveLength(2);
    expect(Object.isFrozen(listed)).toBe(true);
    expect(listed.every((u) => Object.isFrozen(u))).toBe(true);
  });

  it("hands out frozen results, so no caller can change what another is given", async () => {
    const { repo } = arrayRepo([user(1)]);
    const { users } = liveCache(repo);
    const rows = await users.list(10);
    expect(Object.isFrozen(rows)).toBe(true);
    expect(Object.isFrozen(rows[0])).toBe(true);
  });
});
