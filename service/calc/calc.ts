/**
 * calc.Calc semantics (wire-contracts section 1) on BigInt, without transport.
 */
import { invalidArgument, outOfRange } from "../errors.js";
import { describe, fitsInt64, toBigInt } from "../int64.js";
import { MAX_PRIME_INDEX, nthPrime } from "./primes.js";

/** Bounds one NthPrimes answer (about 1 MB on the wire). */
export const MAX_NTH_PRIMES_BATCH = 100_000;

/** The larger of a and b. */
export function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** a + b; throws OUT_OF_RANGE when the sum does not fit int64 (the old service wrapped). */
export function add(a: bigint, b: bigint): bigint {
  const sum = a + b;
  if (!fitsInt64(sum)) throw outOfRange(`${a} + ${b} overflows int64`);
  return sum;
}

/**
 * The n-th prime for each n, in request order. Every n must be 1..10001; the first one that
 * is not is named in an INVALID_ARGUMENT error (the old service answered UNKNOWN).
 */
export function nthPrimes(ns: readonly unknown[]): bigint[] {
  if (ns.length > MAX_NTH_PRIMES_BATCH) {
    throw invalidArgument(`at most ${MAX_NTH_PRIMES_BATCH} values of n per call, got ${ns.length}`);
  }
  return ns.map((raw) => {
    const n = toBigInt(raw, "n");
    if (n < 1n || n > BigInt(MAX_PRIME_INDEX)) {
      throw invalidArgument(`n must be 1..${MAX_PRIME_INDEX}, got ${describe(n)}`);
    }
    return BigInt(nthPrime(Number(n)));
  });
}
