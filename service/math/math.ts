/**
 * MathHelper semantics (wire-contracts section 2) on BigInt, without transport.
 */
import { outOfRange } from "../errors.js";
import { fitsInt64 } from "../int64.js";

/** The largest base whose factorial fits int64 (21! does not). */
export const MAX_INT64_FACTORIAL_BASE = 20;

/** first + last (the old service's definition of "summation"); OUT_OF_RANGE on int64 overflow. */
export function summation(first: bigint, last: bigint): bigint {
  const result = first + last;
  if (!fitsInt64(result)) throw outOfRange(`summation ${first} + ${last} overflows int64`);
  return result;
}

/** base! for base 0..20; OUT_OF_RANGE naming the base outside that range. */
export function factorialInt64(base: bigint): bigint {
  if (base < 0n || base > BigInt(MAX_INT64_FACTORIAL_BASE)) {
    throw outOfRange(
      `factorial base must be 0..${MAX_INT64_FACTORIAL_BASE} (int64 result), got ${base}`,
    );
  }
  let result = 1n;
  for (let i = 2n; i <= base; i++) result *= i;
  return result;
}
