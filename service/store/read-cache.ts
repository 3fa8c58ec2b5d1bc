/**
 * Reads of the user directory served from memory, for the PostgreSQL backend (the embedded
 * store reads its own file and needs none). Correct across replicas because it is only used
 * while the change feed (change-feed.ts) listens: every write to a tenant's users, by any
 * replica or by hand, notifies at commit, and the notification empties that tenant's cache.
 *
 * - A replica's own write empties its cache before the write is answered: read-your-writes.
 * - Another replica's write is seen once its notification arrives (at its commit, typically
 *   well under a millisecond later on one network).
 * - While the feed does not listen (start, connection lost) every read goes to the database.
 * - A read that was in flight when the cache was emptied is not kept: it may predate the write.
 * - Bounded by a number of stored records, whatever the number of users in the table.
 */
import type { UserRecord, UserRepository } from "./users-repo.js";

export interface ReadCacheStats {
  /** Whether reads may be served from memory now (the change feed listens). */
  readonly live: boolean;
  readonly hits: number;
  readonly misses: number;
  /** Records held now (a record in two results counts twice). */
  readonly records: number;
  /** Times it was emptied (own writes, notifications, the feed going up or down). */
  readonly invalidations: number;
}

type Cached = readonly UserRecord[] | UserRecord | undefined;

interface Entry {
  readonly value: Promise<Cached>;
  records: number;
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private live = false;
  private records = 0;
  private hits = 0;
  private misses = 0;
  private invalidations = 0;

  /** @param maxRecords the most records held at once; older results are dropped first. */
  constructor(private readonly maxRecords: number) {}

  /** Drops everything held (a write happened, or may have happened unseen). */
  invalidate(): void {
    this.invalidations++;
    this.entries.clear();
    this.records = 0;
  }

  /** The change feed listens (true) or stopped listening (false); either way, start empty. */
  setLive(live: boolean): void {
    this.invalidate();
    this.live = live;
  }

  stats(): ReadCacheStats {
    const { live, hits, misses, records, invalidations } = this;
    return { live, hits, misses, records, invalidations };
  }

  /**
   * The result for `key`: from memory when held, else from `load`, kept only if its entry is
   * still the one held when it resolves (an invalidation or eviction meanwhile removed it).
   * Concurrent misses of one key share one load.
   */
  read<T extends Cached>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.live) return load();
    const held = this.entries.get(key);
    if (held) {
      this.hits++;
      return held.value as Promise<T>;
    }
    this.misses++;
    const value = load().then(freeze);
    const entry: Entry = { value, records: 0 };
    this.entries.set(key, entry);
    value.then(
      (result) => {
        if (this.entries.get(key) !== entry) return;
        entry.records = Array.isArray(result) ? result.length : 1;
        this.records += entry.records;
        this.evictOverBudget();
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key); // retry next time
      },
    );
    return value;
  }

  /** Drops the oldest results (Map order is insertion order) until within the budget. */
  private evictOverBudget(): void {
    for (const [key, entry] of this.entries) {
      if (this.records <= this.maxRecords) return;
      this.entries.delete(key);
      this.records -= entry.records;
    }
  }
}

/** Results are shared between callers: frozen so that no caller can change another's. */
function freeze<T extends Cached>(result: T): T {
  if (Array.isArray(result)) {
    for (const record of result) Object.freeze(record);
    return Object.freeze(result) as T;
  }
  return result === undefined ? result : Object.freeze(result);
}

/** `repo` with its reads served through `cache`, and its writes emptying it. */
export function cachedUserRepository(repo: UserRepository, cache: ReadCache): UserRepository {
  const write = async <T>(run: Promise<T>): Promise<T> => {
    try {
      return await run;
    } finally {
      cache.invalidate(); // even after an error: the write may have committed
    }
  };
  return {
    ...repo,
    insert: (user) => write(repo.insert(user)),
    insertMany: (users) => write(repo.insertMany(users)),
    list: (limit) => cache.read(`list\0${limit}`, () => repo.list(limit)),
    getByEmail: (email) => cache.read(`email\0${email}`, () => repo.getByEmail(email)),
    searchName: (needle, limit) =>
      cache.read(`name\0${limit}\0${needle}`, () => repo.searchName(needle, limit)),
    searchAge: (from, toIncluded, limit) =>
      cache.read(`age\0${limit}\0${from}\0${toIncluded}`, () =>
        repo.searchAge(from, toIncluded, limit),
      ),
  };
}
