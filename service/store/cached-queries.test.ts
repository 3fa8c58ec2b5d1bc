import { describe, expect, it } from "vitest";
import {
  type HeldResult,
  type InsertedUser,
  type UserQuery,
  ageQuery,
  compareCodePoints,
  emailQuery,
  insertEffect,
  listQuery,
  nameQuery,
  queryKey,
} from "./cached-queries.js";
import { searchKey } from "./search-key.js";
import { byteOrder, modelAnswers } from "./testing/model-repo.js";
import { userRecord } from "./testing/user-record.js";
import type { UserRecord } from "./users-repo.js";
import { seededRandom as random } from "../seeded-random.js";

// Letters whose UTF-16 order differs from their UTF-8 order ("\uE000", "\uFFEE" against the
// astral ones), accented letters that search folds, and plain ones.
const LETTERS = ["a", "b", "e", "z", "é", "ë", "Å", "ø", "ß", "\uE000", "\uFFEE", "😀", "𝔸"];
const word = (next: () => number, length: number): string =>
  Array.from({ length }, () => LETTERS[Math.floor(next() * LETTERS.length)]).join("");

function randomUser(next: () => number, n: number): UserRecord {
  return userRecord(n, {
    email: `${word(next, 1 + Math.floor(next() * 3))}${n}@example.com`,
    firstName: word(next, 1 + Math.floor(next() * 4)),
    lastName: word(next, 1 + Math.floor(next() * 4)),
    age: 20 + Math.floor(next() * 6),
  });
}

const inserted = (user: UserRecord): InsertedUser => ({
  user,
  firstKey: searchKey(user.firstName),
  lastKey: searchKey(user.lastName),
});

/** The database's answer to `query` over `rows` (the model: orders by UTF-8 bytes). */
function answer(query: UserQuery, rows: readonly UserRecord[], needle: string): HeldResult {
  switch (query.kind) {
    case "list":
      return modelAnswers.list(rows, query.limit);
    case "email":
      return modelAnswers.getByEmail(rows, query.email);
    case "name":
      return modelAnswers.searchName(rows, needle, query.limit);
    case "age":
      return modelAnswers.searchAge(rows, query.from, query.toIncluded, query.limit);
  }
}

describe("what an inserted user does to a held result", () => {
  it("compares strings in UTF-8 byte order (collation C), not UTF-16 order", () => {
    expect("😀" < "\uE000").toBe(true); // JavaScript compares the surrogate unit D83D with E000
    expect(Math.sign(compareCodePoints("\uE000", "😀"))).toBe(-1); // UTF-8: EE 80 80 < F0 9F
    expect(Math.sign(compareCodePoints("😀", "\uE000"))).toBe(1);
    const next = random(7);
    for (let i = 0; i < 5_000; i++) {
      const [a, b] = [word(next, 1 + (i % 4)), word(next, 1 + ((i >> 2) % 4))];
      expect(Math.sign(compareCodePoints(a, b)), `${a} vs ${b}`).toBe(Math.sign(byteOrder(a, b)));
    }
  });

  it("gives every query the database's answer after each insert, cut or not", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const rows = Array.from({ length: 12 }, (_, n) => randomUser(next, n));
      const needles = ["", "a", "E", "ø", "Å", "ss", "😀", "ze"];
      const queries: { query: UserQuery; needle: string }[] = [];
      for (const limit of [1, 3, 50]) {
        queries.push({ query: listQuery(limit), needle: "" });
        queries.push({ query: ageQuery(21, 23, limit), needle: "" });
        for (const needle of needles) queries.push({ query: nameQuery(needle, limit)!, needle });
      }
      for (const row of rows.slice(0, 4))
        queries.push({ query: emailQuery(row.email), needle: "" });
      const newcomers = Array.from({ length: 10 }, (_, n) => randomUser(next, 100 + n));
      queries.push({ query: emailQuery(newcomers[0]!.email), needle: "" });

      const held = queries.map(({ query, needle }) => answer(query, rows, needle));
      for (const user of newcomers) {
        rows.push(user);
        queries.forEach(({ query, needle }, i) => {
          const effect = insertEffect(query, held[i], inserted(user));
          expect(effect.kind, `${queryKey(query)} seed ${seed}`).not.toBe("conflict");
          if (effect.kind === "changed") held[i] = effect.result;
          expect(held[i], `${queryKey(query)} after ${user.email}, seed ${seed}`).toEqual(
            answer(query, rows, needle),
          );
        });
      }
    }
  });

  it("changes nothing when the user is already there (its own write, then its notification)", () => {
    const rows = [userRecord(1), userRecord(2), userRecord(3)];
    for (const query of [
      listQuery(10),
      listQuery(2),
      ageQuery(0, 150, 10),
      emailQuery(rows[1]!.email),
    ]) {
      const held = answer(query, rows, "");
      expect(insertEffect(query, held, inserted(rows[1]!)).kind).toBe("unchanged");
    }
  });

  it("reports a conflict when a held user has the new user's email but other contents", () => {
    const rows = [userRecord(1), userRecord(2)];
    const newer = userRecord(2, { id: "u2-again", firstName: "Other" });
    for (const query of [listQuery(10), ageQuery(0, 150, 10), emailQuery(newer.email)]) {
      expect(insertEffect(query, answer(query, rows, ""), inserted(newer)).kind).toBe("conflict");
    }
  });

  it("matches names by their stored search keys, ignoring case and diacritics", () => {
    const query = nameQuery("MAEL", 10)!;
    const mael = userRecord(5, { firstName: "Maël" });
    const effect = insertEffect(query, [], inserted(mael));
    expect(effect).toEqual({ kind: "changed", result: [mael] });
    expect(insertEffect(query, [], inserted(userRecord(6))).kind).toBe("unchanged");
  });

  it("does not hold a search whose needle is not well-formed Unicode", () => {
    expect(nameQuery("ab\uD800", 10)).toBeUndefined();
    expect(nameQuery("ab😀", 10)).toBeDefined();
  });
});
