import { describe, expect, it } from "vitest";
import { InputError } from "../errors.js";
import { INT64_MAX, INT64_MIN, toBigInt } from "../int64.js";
import { add, max, nthPrimes } from "./calc.js";
import { nthPrime } from "./primes.js";

describe("primes table", () => {
  it.each([
    [1, 2],
    [2, 3],
    [6, 13],
    [12, 37],
    [1000, 7919],
    [10001, 104743],
  ])("the %i-th prime is %i", (n, p) => {
    expect(nthPrime(n)).toBe(p);
  });
});

describe("add", () => {
  it("adds across the whole int64 range exactly", () => {
    expect(add(2n, 3n)).toBe(5n);
    expect(add(INT64_MAX, 0n)).toBe(INT64_MAX);
    expect(add(INT64_MAX, INT64_MIN)).toBe(-1n);
  });

  it.each([
    [INT64_MAX, 1n],
    [INT64_MIN, -1n],
    [INT64_MAX, INT64_MAX],
  ])("refuses %s + %s with out_of_range", (a, b) => {
    expect(() => add(a, b)).toThrow(expect.objectContaining({ kind: "out_of_range" }));
  });
});

describe("max", () => {
  it("answers the larger value, either order", () => {
    expect(max(1n, 2n)).toBe(2n);
    expect(max(2n, 1n)).toBe(2n);
    expect(max(INT64_MIN, INT64_MAX)).toBe(INT64_MAX);
  });
});

describe("nthPrimes", () => {
  it("keeps request order and repeats", () => {
    expect(nthPrimes(["3", 1, "3"])).toEqual([5n, 2n, 5n]);
  });

  it.each(["0", "10002", "-1", "18446744073709551615"])("names the invalid n %s", (n) => {
    let error: unknown;
    try {
      nthPrimes(["1", n]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).kind).toBe("invalid_argument");
    expect((error as InputError).message).toContain(n);
  });

  it("refuses a non-integer n", () => {
    expect(() => nthPrimes(["1.5"])).toThrow('n: not an integer: "1.5"');
  });
});

describe("wire integers", () => {
  it("explains a JSON number that lost precision instead of using it", () => {
    const parsed = JSON.parse('{"a": 9223372036854775807}') as { a: number };
    expect(() => add(toBigInt(parsed.a, "a"), 0n)).toThrow(
      "a: 9223372036854776000 is beyond 2^53 as a JSON number and lost precision; send 64-bit integers as strings",
    );
  });
});
