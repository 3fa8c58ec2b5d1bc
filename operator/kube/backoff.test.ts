import { describe, expect, it } from "vitest";
import { backoffDelay, sleep } from "./backoff.js";

describe("backoffDelay", () => {
  const policy = { baseMs: 100, maxMs: 1000 };

  it("doubles with each attempt from the base", () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(policy, a))).toEqual([100, 200, 400, 800]);
  });

  it("never exceeds the cap, even after very many attempts", () => {
    expect(backoffDelay(policy, 4)).toBe(1000);
    expect(backoffDelay(policy, 10_000)).toBe(1000);
  });

  it("adds at most the jitter fraction", () => {
    const jittered = { ...policy, jitter: 0.5 };
    expect(backoffDelay(jittered, 1, () => 0)).toBe(200);
    expect(backoffDelay(jittered, 1, () => 1)).toBe(300);
  });
});

describe("sleep", () => {
  it("resolves at once when aborted", async () => {
    const ac = new AbortController();
    const pending = sleep(60_000, ac.signal);
    ac.abort();
    await expect(pending).resolves.toBeUndefined();
  });
});
