/**
 * Users of one tenant on PostgreSQL (the embedded store's twin is sqlite-repos.ts). Every statement is scoped by the
 * tenant given at construction: no method can read or write another tenant's rows.
 * Result-returning methods take a row limit; callers decide the cap (see users/service.ts).
 */
import { searchKey } from "./search-key.js";
import { type SqlClient, UNIQUE_VIOLATION, sqlState, violatedConstraint } from "./sql.js";

/** A stored user. `email` is stored lower-cased (see users/validate.ts). */
export interface UserRecord {
  id: string;
  email: string;
  firstName: string;
  lastName: string;
  age: number;
  phone: string;
  address: string;
}

export type InsertOutcome = "created" | "duplicate-email" | "duplicate-id";

export interface UserRepository {
  insert(user: UserRecord): Promise<InsertOutcome>;
  /** Inserts in one statement, silently skipping users whose id or email exists. */
  insertMany(users: readonly UserRecord[]): Promise<number>;
  /** The first `limit` users in email order. */
  list(limit: number): Promise<UserRecord[]>;
  getByEmail(email: string): Promise<UserRecord | undefined>;
  /**
   * Users whose first or last name contains `needle`, ignoring case and diacritics ("mael"
   * finds "Maël": both sides compared as searchKey() forms, see search-key.ts); email order.
   */
  searchName(needle: string, limit: number): Promise<UserRecord[]>;
  /** Users with from <= age <= toIncluded, in (age, email) order. */
  searchAge(from: number, toIncluded: number, limit: number): Promise<UserRecord[]>;
  count(): Promise<number>;
  /** Refreshes planner statistics (after a bulk load). */
  analyze(): Promise<void>;
  /** The database's plan for searchName(needle), one line per step: shows the index used. */
  explainSearchName(needle: string): Promise<string[]>;
}

const COLUMNS = `id, email, first_name, last_name, age, phone, address`;

/** A users row as the database returns it (snake_case columns). */
export interface UserRow extends Record<string, unknown> {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  age: number;
  phone: string;
  address: string;
}

function fromRow(row: UserRow): UserRecord {
  return {
    id: row.id,
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    age: Number(row.age),
    phone: row.phone,
    address: row.address,
  };
}

/** Escapes LIKE's wildcards so a search for "50%" or "a_b" means those characters. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

// The trigram indexes on first_key/last_key (migrations.ts) serve these LIKEs.
const SEARCH_WHERE = `(first_key LIKE $2 OR last_key LIKE $2)`;
const SEARCH_TAIL = `ORDER BY email LIMIT $3`;
const likeKey = (needle: string): string => `%${escapeLike(searchKey(needle))}%`;

export function userRepository(db: SqlClient, tenant: string): UserRepository {
  const select = async (where: string, params: unknown[], tail: string): Promise<UserRecord[]> =>
    (
      await db.query<UserRow>(
        `SELECT ${COLUMNS} FROM users WHERE tenant = $1 AND ${where} ${tail}`,
        [tenant, ...params],
      )
    ).map(fromRow);

  return {
    async insert(user) {
      try {
        await db.query(
          `INSERT INTO users (tenant, ${COLUMNS}, first_key, last_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
          [
            tenant,
            user.id,
            user.email,
            user.firstName,
            user.lastName,
            user.age,
            user.phone,
            user.address,
            searchKey(user.firstName),
            searchKey(user.lastName),
          ],
        );
        return "created";
      } catch (error) {
        if (sqlState(error) !== UNIQUE_VIOLATION) throw error;
        return violatedConstraint(error) === "users_pkey" ? "duplicate-id" : "duplicate-email";
      }
    },

    async insertMany(users) {
      if (users.length === 0) return 0;
      const rows = await db.query(
        `INSERT INTO users (tenant, ${COLUMNS}, first_key, last_key)
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::int[],
                                  $7::text[], $8::text[], $9::text[], $10::text[])
         ON CONFLICT DO NOTHING
         RETURNING 1`,
        [
          tenant,
          users.map((u) => u.id),
          users.map((u) => u.email),
          users.map((u) => u.firstName),
          users.map((u) => u.lastName),
          users.map((u) => u.age),
          users.map((u) => u.phone),
          users.map((u) => u.address),
          users.map((u) => searchKey(u.firstName)),
          users.map((u) => searchKey(u.lastName)),
        ],
      );
      return rows.length;
    },

    list: (limit) => select(`true`, [limit], `ORDER BY email LIMIT $2`),

    async getByEmail(email) {
      return (await select(`email = $2`, [email], ``))[0];
    },

    searchName: (needle, limit) => select(SEARCH_WHERE, [likeKey(needle), limit], SEARCH_TAIL),

    searchAge: (from, toIncluded, limit) =>
      select(`age BETWEEN $2 AND $3`, [from, toIncluded, limit], `ORDER BY age, email LIMIT $4`),

    async count() {
      const rows = await db.query<{ n: string }>(
        `SELECT count(*)::text AS n FROM users WHERE tenant = $1`,
        [tenant],
      );
      return Number(rows[0]?.n ?? 0);
    },

    async analyze() {
      await db.query(`ANALYZE users`);
    },

    async explainSearchName(needle) {
      const rows = await db.query<{ "QUERY PLAN": string }>(
        `EXPLAIN SELECT ${COLUMNS} FROM users WHERE tenant = $1 AND ${SEARCH_WHERE} ${SEARCH_TAIL}`,
        [tenant, likeKey(needle), 10],
      );
      return rows.map((row) => row["QUERY PLAN"]);
    },
  };
}
