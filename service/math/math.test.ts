import { describe, expect, it } from "vitest";
import { INT64_MAX } from "../int64.js";
import { factorialInt64, summation } from "./math.js";

describe("summation", () => {
  it("is first + last, the old service's definition", () => {
    expect(summation(1n, 10n)).toBe(11n);
    expect(summation(-5n, 5n)).toBe(0n);
  });

  it("refuses an int64 overflow", () => {
    expect(() => summation(INT64_MAX, 1n)).toThrow(
      expect.objectContaining({ kind: "out_of_range" }),
    );
  });
});

describe("factorialInt64", () => {
  it.each([
    [0n, 1n],
    [1n, 1n],
    [2n, 2n],
    [5n, 120n],
    [20n, 2432902008176640000n],
  ])("%s! = %s", (base, result) => {
    expect(factorialInt64(base)).toBe(result);
  });

  it.each([21n, -1n, 1000n])("refuses base %s with out_of_range naming it", (base) => {
    expect(() => factorialInt64(base)).toThrow(`got ${base}`);
  });
});
