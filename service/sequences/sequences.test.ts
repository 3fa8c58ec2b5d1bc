import { describe, expect, it } from "vitest";
import { ackermann, factorial, fibonacci, parseSequenceArg } from "./sequences.js";

/** Ackermann by its definition, to check the closed forms against. */
function ackermannReference(m: number, n: number): number {
  if (m === 0) return n + 1;
  if (n === 0) return ackermannReference(m - 1, 1);
  return ackermannReference(m - 1, ackermannReference(m, n - 1));
}

describe("sequences", () => {
  it("fibonacci starts 0, 1 and is exact at 400", () => {
    expect([0, 1, 2, 3, 10].map(fibonacci)).toEqual([0n, 1n, 1n, 2n, 55n]);
    expect(fibonacci(400).toString()).toBe(
      "176023680645013966468226945392411250770384383304492191886725992896575345044216019675",
    );
  });

  it("factorial is exact: 0! = 1, 6! = 720, 7! = 5040, 400! has 869 digits", () => {
    expect([0, 6, 7].map(factorial)).toEqual([1n, 720n, 5040n]);
    expect(factorial(400).toString()).toHaveLength(869);
  });

  it("ackermann's closed forms agree with the definition on the whole domain", () => {
    for (let m = 0; m <= 3; m++) {
      for (let n = 0; n <= 4; n++) expect(ackermann(m, n)).toBe(BigInt(ackermannReference(m, n)));
    }
    expect(ackermann(3, 4)).toBe(125n);
  });

  it.each(["401", "-1", "abc", "1.5", " 1", "", "1e2", "0x10", "9999999"])(
    "parseSequenceArg refuses %j with 'invalid number: <input>'",
    (input) => {
      expect(() => parseSequenceArg(input, 400)).toThrow(`invalid number: ${input}`);
    },
  );

  it("parseSequenceArg accepts leading zeros and the bounds", () => {
    expect(parseSequenceArg("0", 400)).toBe(0);
    expect(parseSequenceArg("007", 400)).toBe(7);
    expect(parseSequenceArg("400", 400)).toBe(400);
  });

  it("refuses arguments outside the tables", () => {
    expect(() => fibonacci(401)).toThrow("invalid number: 401");
    expect(() => ackermann(4, 0)).toThrow("invalid number: 4");
    expect(() => ackermann(0, 5)).toThrow("invalid number: 5");
  });
});
