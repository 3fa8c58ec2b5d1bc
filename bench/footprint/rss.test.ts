import { describe, expect, it } from "vitest";
import { median, rssFromStatus } from "./rss.js";

// The lines of a real /proc/<pid>/status that the bench reads, among others it ignores.
const STATUS = [
  "Name:\tnode",
  "VmHWM:\t  126976 kB",
  "VmRSS:\t  115380 kB",
  "RssAnon:\t   60740 kB",
  "RssFile:\t   54640 kB",
  "RssShmem:\t       0 kB",
  "Threads:\t11",
].join("\n");

describe("rssFromStatus", () => {
  it("reads RSS, its anonymous and file parts, and the high-water mark, in MiB", () => {
    expect(rssFromStatus(STATUS)).toEqual({
      rssMib: 115380 / 1024,
      anonMib: 60740 / 1024,
      fileMib: 54640 / 1024,
      hwmMib: 126976 / 1024,
    });
  });

  it("names a missing field instead of reading it as zero", () => {
    expect(() => rssFromStatus(STATUS.replace(/^RssFile.*$/m, ""))).toThrow(/no RssFile/);
  });
});

describe("median", () => {
  it("takes the middle sample, the upper one of an even count", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(3);
    expect(() => median([])).toThrow(/no memory samples/);
  });
});
