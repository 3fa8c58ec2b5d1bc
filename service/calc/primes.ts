/**
 * The first 10001 primes, computed once at module load by a sieve (about 1 ms), so NthPrimes
 * answers by table lookup and never stalls the event loop.
 */

/** The largest n NthPrimes accepts; the 10001st prime is 104743. */
export const MAX_PRIME_INDEX = 10001;

function sievePrimes(count: number): Uint32Array {
  // The 10001st prime is 104743; a bound just above it suffices.
  const limit = 104_744;
  const composite = new Uint8Array(limit);
  const primes = new Uint32Array(count);
  let found = 0;
  for (let i = 2; i < limit && found < count; i++) {
    if (composite[i]) continue;
    primes[found++] = i;
    for (let j = i * i; j < limit; j += i) composite[j] = 1;
  }
  if (found !== count) throw new Error(`prime sieve found ${found} of ${count} primes`);
  return primes;
}

const PRIMES = sievePrimes(MAX_PRIME_INDEX);

/** The n-th prime, 1-based (nthPrime(1) === 2). Assumes 1 <= n <= MAX_PRIME_INDEX. */
export function nthPrime(n: number): number {
  const p = PRIMES[n - 1];
  if (p === undefined) throw new RangeError(`nthPrime: n out of range: ${n}`);
  return p;
}
