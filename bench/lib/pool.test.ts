import { describe, expect, it } from "vitest";
import { runPool } from "./pool.js";

describe("runPool", () => {
  it("handles every item once and never has more than `concurrency` in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const seen: number[] = [];
    await runPool([...Array(20).keys()], 3, async (item) => {
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 1));
      seen.push(item);
      inFlight--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
    expect(most).toBe(3);
  });

  it("rejects with the first error and starts nothing after it", async () => {
    const started: number[] = [];
    await expect(
      runPool([1, 2, 3, 4, 5], 1, async (item) => {
        started.push(item);
        if (item === 2) throw new Error("boom at 2");
      }),
    ).rejects.toThrow("boom at 2");
    expect(started).toEqual([1, 2]);
  });

  it("resolves at once for no items", async () => {
    await expect(runPool([], 4, async () => undefined)).resolves.toBeUndefined();
  });
});
