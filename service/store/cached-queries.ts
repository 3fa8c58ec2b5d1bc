/**
 * The user directory's reads as the read cache (read-cache.ts) holds them, and what a newly
 * inserted user does to each held result, computed without asking the database. Pure.
 *
 * Each result is the database's answer: the users matching the query, in the query's order,
 * cut at its limit (users-repo.ts). A new user enters a result when it matches and sorts before
 * the result's last user, or when the result was not cut (fewer users than the limit); the
 * user then past the limit leaves. That is the database's answer after the insert, whichever
 * order inserts are applied in, because a cut result is the first `limit` users of a total order.
 *
 * The orders here must be the database's: `email` has collation "C" (migrations.ts), byte order
 * of its UTF-8, which is code point order; ages are integers. The name match is a substring
 * test on the stored search keys, what `first_key LIKE '%key%'` is for a deterministic
 * collation. A needle that is not well-formed Unicode is never held (the driver would send its
 * lone surrogates as U+FFFD, so the database would answer another question).
 */
import { searchKey } from "./search-key.js";
import type { UserRecord } from "./users-repo.js";

export type UserQuery =
  | { readonly kind: "list"; readonly limit: number }
  | { readonly kind: "email"; readonly email: string }
  | { readonly kind: "name"; readonly needleKey: string; readonly limit: number }
  | {
      readonly kind: "age";
      readonly from: number;
      readonly toIncluded: number;
      readonly limit: number;
    };

export type HeldResult = readonly UserRecord[] | UserRecord | undefined;

/** A user just inserted, with its search keys as stored (first_key, last_key). */
export interface InsertedUser {
  readonly user: UserRecord;
  readonly firstKey: string;
  readonly lastKey: string;
}

/**
 * What the insert does to a held result: `unchanged`; a new result; or `conflict`: the result
 * holds a user with the new user's email but other contents, i.e. a change not seen yet (a
 * delete or update whose notification is still on its way): the caller must drop everything.
 */
export type InsertEffect =
  | { readonly kind: "unchanged" }
  | { readonly kind: "changed"; readonly result: HeldResult }
  | { readonly kind: "conflict" };

const UNCHANGED: InsertEffect = { kind: "unchanged" };
const CONFLICT: InsertEffect = { kind: "conflict" };

export const listQuery = (limit: number): UserQuery => ({ kind: "list", limit });
export const emailQuery = (email: string): UserQuery => ({ kind: "email", email });
export const ageQuery = (from: number, toIncluded: number, limit: number): UserQuery => ({
  kind: "age",
  from,
  toIncluded,
  limit,
});
/** undefined when the needle cannot be held (see the header). */
export const nameQuery = (needle: string, limit: number): UserQuery | undefined =>
  needle.isWellFormed() ? { kind: "name", needleKey: searchKey(needle), limit } : undefined;

/** The cache's key for a query: equal keys, equal queries. */
export function queryKey(query: UserQuery): string {
  switch (query.kind) {
    case "list":
      return `list\0${query.limit}`;
    case "email":
      return `email\0${query.email}`;
    case "name":
      return `name\0${query.limit}\0${query.needleKey}`;
    case "age":
      return `age\0${query.limit}\0${query.from}\0${query.toIncluded}`;
  }
}

/** Whether an inserted user can be reasoned about here (see the header on surrogates). */
export function isWellFormedUser({ user, firstKey, lastKey }: InsertedUser): boolean {
  return [user.id, user.email, user.firstName, user.lastName, user.phone, user.address]
    .concat(firstKey, lastKey)
    .every((text) => text.isWellFormed());
}

/** What inserting `inserted` does to `held`, the result of `query` before the insert. */
export function insertEffect(
  query: UserQuery,
  held: HeldResult,
  inserted: InsertedUser,
): InsertEffect {
  const { user } = inserted;
  if (query.kind === "email") {
    if (user.email !== query.email) return UNCHANGED;
    if (held === undefined) return { kind: "changed", result: user };
    return sameUser(held as UserRecord, user) ? UNCHANGED : CONFLICT;
  }
  if (!matches(query, inserted)) return UNCHANGED;
  const rows = held as readonly UserRecord[];
  const compare = query.kind === "age" ? compareByAgeThenEmail : compareByEmail;
  const at = insertionPoint(rows, user, compare);
  const there = rows[at];
  if (there !== undefined && there.email === user.email) {
    return sameUser(there, user) ? UNCHANGED : CONFLICT;
  }
  if (at >= query.limit) return UNCHANGED; // past the cut: the database would not return it
  const result = rows.slice(0, at);
  result.push(user, ...rows.slice(at, query.limit - 1));
  return { kind: "changed", result };
}

function matches(query: Exclude<UserQuery, { kind: "email" }>, inserted: InsertedUser): boolean {
  switch (query.kind) {
    case "list":
      return true;
    case "name":
      return (
        inserted.firstKey.includes(query.needleKey) || inserted.lastKey.includes(query.needleKey)
      );
    case "age":
      return inserted.user.age >= query.from && inserted.user.age <= query.toIncluded;
  }
}

/** The first index whose user does not sort before `user` (binary search). */
function insertionPoint(
  rows: readonly UserRecord[],
  user: UserRecord,
  compare: (a: UserRecord, b: UserRecord) => number,
): number {
  let low = 0;
  let high = rows.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compare(rows[middle]!, user) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

const compareByEmail = (a: UserRecord, b: UserRecord): number =>
  compareCodePoints(a.email, b.email);

const compareByAgeThenEmail = (a: UserRecord, b: UserRecord): number =>
  a.age - b.age || compareCodePoints(a.email, b.email);

/**
 * Code point order, which is the byte order of UTF-8 (collation "C"). JavaScript's `<` compares
 * UTF-16 code units, which differs where a surrogate (U+D800..U+DFFF, half of a code point above
 * U+FFFF) meets a unit from U+E000..U+FFFF: the surrogate's code point is the larger.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rankOfUnit(x) - rankOfUnit(y);
  }
  return a.length - b.length;
}

/** Code units ranked so that surrogates sort after U+E000..U+FFFF. */
const rankOfUnit = (unit: number): number =>
  unit >= 0xe000 ? unit - 0x800 : unit >= 0xd800 ? unit + 0x2000 : unit;

function sameUser(a: UserRecord, b: UserRecord): boolean {
  return (
    a.id === b.id &&
    a.email === b.email &&
    a.firstName === b.firstName &&
    a.lastName === b.lastName &&
    a.age === b.age &&
    a.phone === b.phone &&
    a.address === b.address
  );
}
