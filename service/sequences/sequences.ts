/**
 * The HTTP sequences (wire-contracts section 5): exact BigInt values, precomputed at module load
 * up to their limits (a few ms), so a request is a table lookup and never stalls the event loop.
 */
import { invalidArgument } from "../errors.js";

export const MAX_FIBONACCI = 400;
export const MAX_FACTORIAL = 400;
export const MAX_ACKERMANN_M = 3;
export const MAX_ACKERMANN_N = 4;

function fibonacciTable(limit: number): bigint[] {
  const table = [0n, 1n];
  for (let i = 2; i <= limit; i++) table.push(table[i - 1]! + table[i - 2]!);
  return table;
}

function factorialTable(limit: number): bigint[] {
  const table = [1n];
  for (let i = 1; i <= limit; i++) table.push(table[i - 1]! * BigInt(i));
  return table;
}

/**
 * Ackermann's function by its closed forms for m <= 3 (A(1,n)=n+2, A(2,n)=2n+3,
 * A(3,n)=2^(n+3)-3): no deep recursion, constant time.
 */
function ackermannClosedForm(m: number, n: number): bigint {
  const big = BigInt(n);
  switch (m) {
    case 0:
      return big + 1n;
    case 1:
      return big + 2n;
    case 2:
      return 2n * big + 3n;
    default:
      return 2n ** (big + 3n) - 3n;
  }
}

const FIBONACCI = fibonacciTable(MAX_FIBONACCI);
const FACTORIAL = factorialTable(MAX_FACTORIAL);

/**
 * Parses a path segment as a sequence argument: a plain decimal 0..max. Anything else throws
 * INVALID_ARGUMENT whose message is exactly "invalid number: <input>" (the HTTP error body).
 */
export function parseSequenceArg(input: string, max: number): number {
  if (!/^\d{1,6}$/.test(input)) throw invalidArgument(`invalid number: ${input}`);
  const n = Number(input);
  if (n > max) throw invalidArgument(`invalid number: ${input}`);
  return n;
}

/** fibonacci(0) = 0, fibonacci(1) = 1; n must be 0..400. */
export function fibonacci(n: number): bigint {
  return lookup(FIBONACCI, n);
}

/** n!, n 0..400. */
export function factorial(n: number): bigint {
  return lookup(FACTORIAL, n);
}

/** Ackermann A(m, n) for 0 <= m <= 3, 0 <= n <= 4 (A(3,4) = 125). */
export function ackermann(m: number, n: number): bigint {
  if (!isIndex(m, MAX_ACKERMANN_M) || !isIndex(n, MAX_ACKERMANN_N)) {
    throw invalidArgument(`invalid number: ${isIndex(m, MAX_ACKERMANN_M) ? n : m}`);
  }
  return ackermannClosedForm(m, n);
}

function lookup(table: readonly bigint[], n: number): bigint {
  const value = isIndex(n, table.length - 1) ? table[n] : undefined;
  if (value === undefined) throw invalidArgument(`invalid number: ${n}`);
  return value;
}

function isIndex(n: number, max: number): boolean {
  return Number.isInteger(n) && n >= 0 && n <= max;
}
