import { describe, expect, it } from "vitest";
import { cpuSecondsFromStat, treeCpuSeconds } from "./proc-cpu.js";

describe("cpuSecondsFromStat", () => {
  it("adds utime and stime (fields 14 and 15) in seconds", () => {
    const stat =
      "1234 (node) S 1 1234 1234 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 11 0 999 1000 100";
    expect(cpuSecondsFromStat(stat)).toBe(3);
  });

  it("is not fooled by spaces and parentheses in the command name", () => {
    const stat = "77 (my (weird) cmd) R 1 77 77 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 5 10 1";
    expect(cpuSecondsFromStat(stat)).toBe(0.1);
  });

  it("rejects text that is not a stat line", () => {
    expect(() => cpuSecondsFromStat("hello")).toThrow(/not a \/proc stat line/);
  });
});

describe("treeCpuSeconds", () => {
  it("reads this very process and answers 0 for a pid that does not exist", () => {
    expect(treeCpuSeconds(process.pid)).toBeGreaterThan(0);
    expect(treeCpuSeconds(2 ** 30)).toBe(0);
  });
});
