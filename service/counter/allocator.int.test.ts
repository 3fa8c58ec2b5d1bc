import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BACKENDS, type DatabaseLocation, testDatabases } from "../../test/postgres/databases.js";
import { type Store, openDatabase, openStore } from "../store/store.js";
import { CounterAllocator } from "./allocator.js";

describe.each(BACKENDS)("counter allocator on %s", (backend) => {
  const dbs = testDatabases(backend);
  beforeAll(() => dbs.start());
  afterAll(() => dbs.stop());

  /** Two stores standing for two service processes (embedded: one process, one database). */
  async function twoStores(where: DatabaseLocation): Promise<[Store, Store, () => Promise<void>]> {
    if (backend === "postgres") {
      const [a, b] = await Promise.all([
        openStore({ tenant: "acme", ...where }),
        openStore({ tenant: "acme", ...where }),
      ]);
      return [a, b, async () => void (await Promise.all([a.close(), b.close()]))];
    }
    const db = await openDatabase({ tenant: "acme", ...where });
    return [db.storeFor("acme"), db.storeFor("acme"), () => db.close()];
  }

  it.each([1, 100])("starts a fresh counter at 1 (block size %i)", async (blockSize) => {
    const store = await openStore({ tenant: "acme", ...(await dbs.fresh()) });
    try {
      const counter = new CounterAllocator(store.counters, { blockSize });
      expect([await counter.next(), await counter.next()]).toEqual([1n, 2n]);
    } finally {
      await store.close();
    }
  });

  it("hands out 4,000 distinct values to 2 x 2,000 concurrent calls on two allocators", async () => {
    const [a, b, close] = await twoStores(await dbs.fresh());
    try {
      const counters = [
        new CounterAllocator(a.counters, { blockSize: 50 }),
        new CounterAllocator(b.counters, { blockSize: 50 }),
      ];
      const values = await Promise.all(
        counters.flatMap((counter) => Array.from({ length: 2000 }, () => counter.next())),
      );
      expect(new Set(values).size).toBe(4000);
    } finally {
      await close();
    }
  });

  it("never repeats a value between strict and block allocators sharing a counter", async () => {
    const [a, b, close] = await twoStores(await dbs.fresh());
    try {
      const strict = new CounterAllocator(a.counters, { blockSize: 1 });
      const block = new CounterAllocator(b.counters, { blockSize: 7 });
      const values = await Promise.all(
        Array.from({ length: 300 }, (_, i) => (i % 2 ? strict.next() : block.next())),
      );
      expect(new Set(values).size).toBe(300);
    } finally {
      await close();
    }
  });

  it("increases per allocator while another allocator draws from the same counter", async () => {
    const [a, b, close] = await twoStores(await dbs.fresh());
    try {
      const mine = new CounterAllocator(a.counters, { blockSize: 3 });
      const other = new CounterAllocator(b.counters, { blockSize: 3 });
      const seen: bigint[] = [];
      for (let i = 0; i < 50; i++) {
        seen.push(await mine.next());
        await other.next();
      }
      expect(seen).toEqual([...seen].sort((x, y) => (x < y ? -1 : 1)));
      expect(new Set(seen).size).toBe(50);
    } finally {
      await close();
    }
  });

  it("gives the unused rest of its block back on close, only if nobody reserved after it", async () => {
    const [a, b, close] = await twoStores(await dbs.fresh());
    try {
      const first = new CounterAllocator(a.counters, { blockSize: 100 });
      expect(await first.next()).toBe(1n);
      await first.close();
      await expect(first.next()).rejects.toThrow(/closed/);

      const second = new CounterAllocator(a.counters, { blockSize: 100 });
      const third = new CounterAllocator(b.counters, { blockSize: 100 });
      expect(await second.next()).toBe(2n); // 2..101 came back
      expect(await third.next()).toBe(102n);
      await second.close(); // third reserved after it: its rest stays skipped
      expect(await new CounterAllocator(a.counters, { blockSize: 1 }).next()).toBe(202n);
    } finally {
      await close();
    }
  });

  it("reserves bigger blocks while they are used up fast, up to the largest, smaller once calls slow", async () => {
    const [a, b, close] = await twoStores(await dbs.fresh());
    try {
      let clock = 0;
      const counter = new CounterAllocator(a.counters, {
        blockSize: 10,
        maxBlockSize: 40,
        now: () => clock,
      });
      // A strict allocator on the same counter: its value shows where the reservations end.
      const peek = new CounterAllocator(b.counters, { blockSize: 1 });
      const take = async (count: number): Promise<bigint> => {
        let last = 0n;
        for (let i = 0; i < count; i++) last = await counter.next();
        return last;
      };
      expect(await take(11)).toBe(11n); // blocks of 10 (1..10) then 20 (11..30)
      expect(await peek.next()).toBe(31n);
      expect(await take(20)).toBe(32n); // 12..30, then a block of 40 (32..71)
      expect(await peek.next()).toBe(72n);
      expect(await take(40)).toBe(73n); // 33..71, then 40 again: the largest (73..112)
      expect(await peek.next()).toBe(113n);
      clock += 20_000; // that block lasted 20 s: the next one is half
      expect(await take(40)).toBe(114n); // 74..112, then 20 (114..133)
      expect(await peek.next()).toBe(134n);
    } finally {
      await close();
    }
  });

  it("takes a value without a promise only while its block has one", async () => {
    const store = await openStore({ tenant: "acme", ...(await dbs.fresh()) });
    try {
      const counter = new CounterAllocator(store.counters, { blockSize: 2, maxBlockSize: 2 });
      expect(counter.take()).toBeUndefined(); // nothing reserved yet
      expect(await counter.next()).toBe(1n);
      expect(counter.take()).toBe(2n);
      expect(counter.take()).toBeUndefined(); // used up: next() reserves
      expect(await counter.next()).toBe(3n);
      await counter.close();
      expect(counter.take()).toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it("keeps counting after the database is reopened, never going back", async () => {
    const where = await dbs.fresh();
    const before = await openStore({ tenant: "acme", ...where });
    const counter = new CounterAllocator(before.counters, { blockSize: 10 });
    const last = await counter.next(); // no close(): as if the process died
    await before.close();
    const after = await openStore({ tenant: "acme", ...where });
    try {
      expect(await new CounterAllocator(after.counters, { blockSize: 10 }).next()).toBe(last + 10n);
    } finally {
      await after.close();
    }
  });
});

describe("counter allocator options", () => {
  it("rejects a block size that is not a whole number >= 1", () => {
    const repo = { reserve: () => Promise.resolve(1n), giveBack: () => Promise.resolve(false) };
    expect(() => new CounterAllocator(repo, { blockSize: 0 })).toThrow(/block size/);
    expect(() => new CounterAllocator(repo, { blockSize: 2.5 })).toThrow(/block size/);
    expect(() => new CounterAllocator(repo, { blockSize: 10, maxBlockSize: 5 })).toThrow(
      /max block size 5 is below the block size 10/,
    );
  });

  it("grows blocks up to 10,000 by default, and never in strict mode", () => {
    const repo = { reserve: () => Promise.resolve(1n), giveBack: () => Promise.resolve(false) };
    expect(new CounterAllocator(repo).maxBlockSize).toBe(10_000n);
    expect(new CounterAllocator(repo, { blockSize: 50_000 }).maxBlockSize).toBe(50_000n);
    expect(new CounterAllocator(repo, { blockSize: 1, maxBlockSize: 100 }).maxBlockSize).toBe(1n);
  });
});
