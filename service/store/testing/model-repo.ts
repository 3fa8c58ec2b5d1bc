// A UserRepository over an array, for unit tests of what sits in front of a repository: it
// answers as PostgreSQL does (users-repo.ts), with orders computed independently of the code
// under test (UTF-8 byte order, i.e. collation "C", through Buffer.compare). Counts its reads;
// `hold()` keeps reads from answering until released.
import { searchKey } from "../search-key.js";
import type { UserRecord, UserRepository } from "../users-repo.js";

export const byteOrder = (a: string, b: string): number =>
  Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

const byEmail = (a: UserRecord, b: UserRecord): number => byteOrder(a.email, b.email);
const byAgeThenEmail = (a: UserRecord, b: UserRecord): number => a.age - b.age || byEmail(a, b);

/** What the database answers for each read, over `rows`. */
export const modelAnswers = {
  list: (rows: readonly UserRecord[], limit: number): UserRecord[] =>
    [...rows].sort(byEmail).slice(0, limit),
  getByEmail: (rows: readonly UserRecord[], email: string): UserRecord | undefined =>
    rows.find((u) => u.email === email),
  searchName: (rows: readonly UserRecord[], needle: string, limit: number): UserRecord[] => {
    const key = searchKey(needle);
    return rows
      .filter((u) => searchKey(u.firstName).includes(key) || searchKey(u.lastName).includes(key))
      .sort(byEmail)
      .slice(0, limit);
  },
  searchAge: (rows: readonly UserRecord[], from: number, to: number, limit: number): UserRecord[] =>
    rows
      .filter((u) => u.age >= from && u.age <= to)
      .sort(byAgeThenEmail)
      .slice(0, limit),
};

export function modelRepo(rows: UserRecord[]) {
  const calls = { reads: 0 };
  let gate: Promise<void> = Promise.resolve();
  const read = async <T>(value: () => T): Promise<T> => {
    calls.reads++;
    const snapshot = value(); // what the database saw when the query ran
    await gate;
    return snapshot;
  };
  const copy = (u: UserRecord): UserRecord => ({ ...u }); // the driver builds new objects
  const repo: UserRepository = {
    async insert(u) {
      if (rows.some((r) => r.id === u.id)) return "duplicate-id";
      if (rows.some((r) => r.email === u.email)) return "duplicate-email";
      rows.push(copy(u));
      return "created";
    },
    insertMany: async (us) => (rows.push(...us.map(copy)), us.length),
    list: (limit) => read(() => modelAnswers.list(rows, limit).map(copy)),
    getByEmail: (email) =>
      read(() => {
        const found = modelAnswers.getByEmail(rows, email);
        return found && copy(found);
      }),
    searchName: (needle, limit) =>
      read(() => modelAnswers.searchName(rows, needle, limit).map(copy)),
    searchAge: (from, to, limit) =>
      read(() => modelAnswers.searchAge(rows, from, to, limit).map(copy)),
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
