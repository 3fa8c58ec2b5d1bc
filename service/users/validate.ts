/**
 * Pure checks of UserService input. Each returns either the normalised value or the
 * message an INVALID_QUERY status carries. Nothing here touches storage.
 */
import type { UserRecord } from "../store/users-repo.js";

export type Checked<T> = { ok: true; value: T } | { ok: false; msg: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = <T>(msg: string): Checked<T> => ({ ok: false, msg });

export const MIN_AGE = 0;
export const MAX_AGE = 150;

/** Field length limits: generous for people, small enough that no request bloats the DB. */
export const LIMITS = { id: 128, email: 254, name: 200, phone: 64, address: 500, query: 200 };

/** The loose shape a decoded CreateReq.user may have (old clients may omit anything). */
export interface UserInput {
  id?: string | null;
  age?: number | null;
  name?: { first?: string | null; last?: string | null } | null;
  email?: string | null;
  phone?: string | null;
  address?: string | null;
}

export interface AgeRangeInput {
  from?: number | null;
  to_included?: number | null;
  toIncluded?: number | null;
}

// One @, no spaces, a dot in the domain: rejects typos, not every RFC 5322 corner.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;

/** Trims and lower-cases an email (emails are unique per tenant regardless of case). */
export function checkEmail(raw: unknown): Checked<string> {
  const email = typeof raw === "string" ? raw.trim().toLowerCase() : "";
  if (email === "") return bad("email is required");
  if (email.length > LIMITS.email) return bad(`email is longer than ${LIMITS.email} characters`);
  if (!EMAIL.test(email)) return bad(`malformed email: ${JSON.stringify(raw)}`);
  return ok(email);
}

export function checkAge(raw: unknown, field = "age"): Checked<number> {
  const age = Number(raw ?? 0);
  if (!Number.isInteger(age) || age < MIN_AGE || age > MAX_AGE) {
    return bad(`${field} must be a whole number from ${MIN_AGE} to ${MAX_AGE}, got ${String(raw)}`);
  }
  return ok(age);
}

function checkText(raw: unknown, field: keyof typeof LIMITS): Checked<string> {
  if (raw !== undefined && raw !== null && typeof raw !== "string")
    return bad(`${field} must be a string`);
  const text = (raw ?? "").trim();
  if (text.length > LIMITS[field])
    return bad(`${field} is longer than ${LIMITS[field]} characters`);
  return ok(text);
}

/** Validates a user to create; an empty id is replaced by `newId()`. */
export function checkNewUser(
  input: UserInput | null | undefined,
  newId: () => string,
): Checked<UserRecord> {
  if (!input) return bad("user is required");
  const email = checkEmail(input.email);
  if (!email.ok) return email;
  const age = checkAge(input.age);
  if (!age.ok) return age;
  const fields = {
    id: checkText(input.id, "id"),
    firstName: checkText(input.name?.first, "name"),
    lastName: checkText(input.name?.last, "name"),
    phone: checkText(input.phone, "phone"),
    address: checkText(input.address, "address"),
  };
  for (const field of Object.values(fields)) if (!field.ok) return field;
  const text = (key: keyof typeof fields): string => (fields[key].ok ? fields[key].value : "");
  return ok({
    id: text("id") || newId(),
    email: email.value,
    firstName: text("firstName"),
    lastName: text("lastName"),
    age: age.value,
    phone: text("phone"),
    address: text("address"),
  });
}

/** A name query: trimmed; empty matches everyone (every name contains ""). */
export function checkNameQuery(raw: unknown): Checked<string> {
  return checkText(raw, "query");
}

/** [from, to_included], both within MIN_AGE..MAX_AGE, from <= to_included. */
export function checkAgeRange(
  range: AgeRangeInput | null | undefined,
): Checked<{ from: number; toIncluded: number }> {
  if (!range) return bad("ageRange is required");
  const from = checkAge(range.from, "ageRange.from");
  if (!from.ok) return from;
  const to = checkAge(range.to_included ?? range.toIncluded, "ageRange.to_included");
  if (!to.ok) return to;
  if (from.value > to.value) {
    return bad(`ageRange.from (${from.value}) is greater than ageRange.to_included (${to.value})`);
  }
  return ok({ from: from.value, toIncluded: to.value });
}
