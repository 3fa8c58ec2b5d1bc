/**
 * 64-bit integers as they cross the wire. The proto loader hands int64/uint64 over as decimal
 * strings (never lossy JS numbers); the domain works on BigInt and checks the range itself.
 */
import { invalidArgument } from "./errors.js";

export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;
export const UINT64_MAX = 2n ** 64n - 1n;

const INTEGER = /^[+-]?\d{1,40}$/;

/**
 * Parses a wire integer (decimal string, number or bigint) into a BigInt.
 * Throws INVALID_ARGUMENT naming `field` and the value when it is not an integer.
 */
export function toBigInt(value: unknown, field: string): bigint {
  if (typeof value === "bigint") return value;
  if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === "number" && Number.isInteger(value)) {
    throw invalidArgument(
      `${field}: ${value} is beyond 2^53 as a JSON number and lost precision; send 64-bit integers as strings`,
    );
  }
  if (typeof value === "string" && INTEGER.test(value.trim())) return BigInt(value.trim());
  if (value === undefined || value === null || value === "") return 0n; // proto3 default
  throw invalidArgument(`${field}: not an integer: ${describe(value)}`);
}

export function fitsInt64(value: bigint): boolean {
  return value >= INT64_MIN && value <= INT64_MAX;
}

/** A short, safe rendering of a value for error messages (bounded length). */
export function describe(value: unknown): string {
  let text: string;
  try {
    text = typeof value === "string" ? JSON.stringify(value) : String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}
