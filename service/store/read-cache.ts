/**
 * Reads of the user directory served from memory, for the PostgreSQL backend (the embedded
 * store reads its own file and needs none). Correct across replicas because it is only used
 * while the change feed (change-feed.ts) listens: every write to a tenant's users, by any
 * replica or by hand, notifies at commit. A notified insert of one user is applied to the held
 * results in place (cached-queries.ts says how); any other write empties that tenant's cache.
 *
 * - A replica's own insert is applied before it is answered, and its other writes empty the
 *   cache before they are answered: read-your-writes.
 * - Another replica's write is seen once its notification arrives (at its commit, typically
 *   well under a millisecond later on one network).
 * - While the feed does not listen (start, connection lost) every read goes to the database.
 * - A read that was in flight when a write was seen is not kept: it may predate the write.
 * - Bounded by a number of stored records, whatever the number of users in the table; over
 *   the budget, the results read least recently go first, so a hot result (a tenant's first
 *   page, a popular search) stays held however many one-off reads pass through.
 */
import {
  type HeldResult,
  type InsertedUser,
  type UserQuery,
  ageQuery,
  emailQuery,
  insertEffect,
  isWellFormedUser,
  listQuery,
  nameQuery,
  queryKey,
} from "./cached-queries.js";
import { searchKey } from "./search-key.js";
import type { InsertOutcome, UserRepository } from "./users-repo.js";

export interface ReadCacheStats {
  /** Whether reads may be served from memory now (the change feed listens). */
  readonly live: boolean;
  readonly hits: number;
  readonly misses: number;
  /** Records held now (a record in two results counts twice). */
  readonly records: number;
  /** Times it was emptied (writes it could not apply, notifications, the feed going up or down). */
  readonly invalidations: number;
  /** Inserted users applied to the held results in place (own writes and notified ones). */
  readonly insertsApplied: number;
}

interface Entry {
  readonly query: UserQuery;
  value: Promise<HeldResult>;
  /** Set once the load resolved; until then the entry is in flight. */
  settled?: { result: HeldResult };
  records: number;
}

export class ReadCache {
  private readonly entries = new Map<string, Entry>();
  private live = false;
  private records = 0;
  private hits = 0;
  private misses = 0;
  private invalidations = 0;
  private insertsApplied = 0;

  /** @param maxRecords the most records held at once; the least recently read go first. */
  constructor(private readonly maxRecords: number) {}

  /** Drops everything held (a write happened, or may have happened unseen). */
  invalidate(): void {
    this.invalidations++;
    this.entries.clear();
    this.records = 0;
  }

  /**
   * A user was inserted (and committed): each held result becomes what the database would now
   * answer (cached-queries.ts), so that one write does not cost every cached read. Results still
   * loading are dropped, as they may predate the insert. Applying the same insert twice (the
   * writer's own, then its notification) changes nothing the second time.
   */
  applyInsert(inserted: InsertedUser): void {
    if (!isWellFormedUser(inserted)) return this.invalidate();
    this.insertsApplied++;
    Object.freeze(inserted.user); // the one record a changed result adds; the others are frozen
    for (const [key, entry] of this.entries) {
      if (!entry.settled) {
        this.entries.delete(key);
        continue;
      }
      const effect = insertEffect(entry.query, entry.settled.result, inserted);
      if (effect.kind === "conflict") return this.invalidate();
      if (effect.kind === "changed") this.settle(entry, Object.freeze(effect.result));
    }
    this.evictOverBudget();
  }

  /** The change feed listens (true) or stopped listening (false); either way, start empty. */
  setLive(live: boolean): void {
    this.invalidate();
    this.live = live;
  }

  stats(): ReadCacheStats {
    const { live, hits, misses, records, invalidations, insertsApplied } = this;
    return { live, hits, misses, records, invalidations, insertsApplied };
  }

  /**
   * The result of `query`: from memory when held, else from `load`, kept only if its entry is
   * still the one held when it resolves (an invalidation or eviction meanwhile removed it).
   * Concurrent misses of one query share one load.
   */
  read<T extends HeldResult>(query: UserQuery | undefined, load: () => Promise<T>): Promise<T> {
    if (!this.live || query === undefined) return load();
    const key = queryKey(query);
    const held = this.entries.get(key);
    if (held) {
      this.hits++;
      // The Map's order is the eviction order: a hit moves its result to the newest end.
      this.entries.delete(key);
      this.entries.set(key, held);
      return held.value as Promise<T>;
    }
    this.misses++;
    const value = load().then(freeze);
    const entry: Entry = { query, value, records: 0 };
    this.entries.set(key, entry);
    value.then(
      (result) => {
        if (this.entries.get(key) !== entry) return;
        this.settle(entry, result);
        this.evictOverBudget();
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key); // retry next time
      },
    );
    return value;
  }

  private settle(entry: Entry, result: HeldResult): void {
    if (entry.settled) entry.value = Promise.resolve(result);
    entry.settled = { result };
    this.records -= entry.records;
    entry.records = Array.isArray(result) ? result.length : 1;
    this.records += entry.records;
  }

  /** Drops the least recently read results (the Map's first) until within the budget. */
  private evictOverBudget(): void {
    for (const [key, entry] of this.entries) {
      if (this.records <= this.maxRecords) return;
      this.entries.delete(key);
      this.records -= entry.records;
    }
  }
}

/** Results are shared between callers: frozen so that no caller can change another's. */
function freeze<T extends HeldResult>(result: T): T {
  if (Array.isArray(result)) {
    for (const record of result) Object.freeze(record);
    return Object.freeze(result) as T;
  }
  return result === undefined ? result : Object.freeze(result);
}

/**
 * `repo` with its reads served through `cache`. A user it creates is applied to the held
 * results before the insert is answered (read-your-writes); any other write, or an insert that
 * failed (it may have committed), empties the cache.
 */
export function cachedUserRepository(repo: UserRepository, cache: ReadCache): UserRepository {
  return {
    ...repo,
    async insert(user) {
      let outcome: InsertOutcome | undefined;
      try {
        outcome = await repo.insert(user);
        return outcome;
      } finally {
        if (outcome === "created") {
          cache.applyInsert({
            user: { ...user }, // held results are frozen: not the caller's object
            firstKey: searchKey(user.firstName),
            lastKey: searchKey(user.lastName),
          });
        } else {
          // A failed insert may have committed; the user in the way of a refused one may be
          // one this cache has not heard of yet.
          cache.invalidate();
        }
      }
    },
    async insertMany(users) {
      try {
        return await repo.insertMany(users);
      } finally {
        cache.invalidate(); // even after an error: the write may have committed
      }
    },
    list: (limit) => cache.read(listQuery(limit), () => repo.list(limit)),
    getByEmail: (email) => cache.read(emailQuery(email), () => repo.getByEmail(email)),
    searchName: (needle, limit) =>
      cache.read(nameQuery(needle, limit), () => repo.searchName(needle, limit)),
    searchAge: (from, toIncluded, limit) =>
      cache.read(ageQuery(from, toIncluded, limit), () => repo.searchAge(from, toIncluded, limit)),
  };
}
