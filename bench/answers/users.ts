/**
 * Users for bench:answers: a typical one (the footprint's shape, ~150 bytes of text) and one
 * whose every field is at its length limit (service/users/validate.ts's LIMITS), in two-byte
 * text where the field allows it, so a result of 1,000 is the largest answer a tenant can send.
 * Pure.
 */
import { LIMITS } from "../../service/users/validate.js";
import type { WireUser } from "../../service/users/wire.js";

export type UserSize = "typical" | "largest";

/** `prefix` (kept unique) filled with `filler` up to exactly `length` characters. */
const filled = (prefix: string, length: number, filler: string): string =>
  (prefix + filler.repeat(length)).slice(0, length);

const DOMAIN = "@answers.example.com";

/** User number `n` of the given size; unique by id and email for distinct n. */
export function benchUser(n: number, size: UserSize): WireUser {
  if (size === "typical") {
    return {
      id: `a-${n}`,
      age: 18 + (n % 70),
      name: { first: `Maël ${n}`, last: "Ångström" },
      email: `user${n}${DOMAIN}`,
      phone: "+1 555 0100",
      address: `${n} Answer Street`,
    };
  }
  return {
    id: filled(`id-${n}-`, LIMITS.id, "漢"),
    age: 18 + (n % 70),
    name: {
      first: filled(`Maël ${n} `, LIMITS.name, "漢"),
      last: filled(`Ångström ${n} `, LIMITS.name, "漢"),
    },
    // emails are lower-cased ASCII here: the limit counts the whole address
    email: filled(`u${n}x`, LIMITS.email - DOMAIN.length, "x") + DOMAIN,
    phone: filled(`+1 ${n} `, LIMITS.phone, "9"),
    address: filled(`${n} Street `, LIMITS.address, "漢"),
  };
}
