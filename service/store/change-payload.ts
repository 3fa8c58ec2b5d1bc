/**
 * The payloads migration 6's triggers send on USER_CHANGES_CHANNEL at commit (migrations.ts),
 * read for the change feed. Pure.
 *
 * - `{"tenant": ..., "inserted": {row}}`: one user inserted by one statement, with its columns;
 *   the caches apply it in place.
 * - a tenant's name: anything else changed that tenant's users (an update, a delete, an insert
 *   of many rows or of a row too large for a payload).
 * - empty: every tenant (TRUNCATE has no rows).
 * Anything unreadable counts as empty: a cache may drop too much, never keep too much.
 */
import type { InsertedUser } from "./cached-queries.js";

export type UserChange =
  | { readonly kind: "all" }
  | { readonly kind: "tenant"; readonly tenant: string }
  | { readonly kind: "inserted"; readonly tenant: string; readonly inserted: InsertedUser };

const ALL: UserChange = { kind: "all" };
const TEXT_COLUMNS = [
  "id",
  "email",
  "first_name",
  "last_name",
  "phone",
  "address",
  "first_key",
  "last_key",
] as const;

export function parseUserChange(payload: string): UserChange {
  if (payload === "") return ALL;
  if (!payload.startsWith("{")) return { kind: "tenant", tenant: payload }; // names are DNS labels
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return ALL;
  }
  if (!isObject(parsed) || typeof parsed.tenant !== "string") return ALL;
  const row = parsed.inserted;
  const usable =
    isObject(row) &&
    Number.isInteger(row.age) &&
    TEXT_COLUMNS.every((column) => typeof row[column] === "string");
  if (!usable) return { kind: "tenant", tenant: parsed.tenant };
  const text = (column: (typeof TEXT_COLUMNS)[number]): string => row[column] as string;
  return {
    kind: "inserted",
    tenant: parsed.tenant,
    inserted: {
      user: {
        id: text("id"),
        email: text("email"),
        firstName: text("first_name"),
        lastName: text("last_name"),
        age: row.age as number,
        phone: text("phone"),
        address: text("address"),
      },
      firstKey: text("first_key"),
      lastKey: text("last_key"),
    },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
