import { describe, expect, it } from "vitest";
import { TokenBucket, WorkQueue } from "./queue.js";

describe("WorkQueue", () => {
  it("hands out a key once however many times it was added", async () => {
    const q = new WorkQueue({ name: "t" });
    q.add("a");
    q.add("a");
    q.add("b");
    expect(q.length).toBe(2);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
    expect(q.length).toBe(0);
  });

  it("never gives a key being processed to a second worker, and processes it again after done", async () => {
    const q = new WorkQueue({ name: "t" });
    q.add("a");
    const first = await q.get();
    q.add("a"); // changed while processing
    expect(q.length).toBe(0);
    let second: string | undefined = "not yet";
    const pending = q.get().then((k) => (second = k));
    await Promise.resolve();
    expect(second).toBe("not yet");
    q.done(first!);
    await pending;
    expect(second).toBe("a");
  });

  it("does not requeue a key that was not added again while processing", async () => {
    const q = new WorkQueue({ name: "t" });
    q.add("a");
    q.done((await q.get())!);
    expect(q.length).toBe(0);
  });

  it("delays a key with addAfter and keeps the earliest pending delay", async () => {
    const q = new WorkQueue({ name: "t" });
    q.addAfter("a", 10_000);
    q.addAfter("a", 5);
    expect(q.length).toBe(0);
    expect(await q.get()).toBe("a");
  });

  it("grows the per-key backoff with each rate-limited add and resets it on forget", () => {
    let now = 0;
    const q = new WorkQueue({ name: "t", perKey: { baseMs: 1000, maxMs: 60_000 }, now: () => now });
    q.addRateLimited("a");
    q.addRateLimited("a");
    q.addRateLimited("a");
    expect(q.retries("a")).toBe(3);
    q.forget("a");
    expect(q.retries("a")).toBe(0);
    now += 1;
    q.shutDown();
  });

  it("answers undefined to waiting workers once shut down and drains in-flight keys", async () => {
    const q = new WorkQueue({ name: "t" });
    q.add("a");
    const key = await q.get();
    const waiting = q.get();
    q.shutDown();
    expect(await waiting).toBeUndefined();
    let drained = false;
    const drain = q.drain().then(() => (drained = true));
    await Promise.resolve();
    expect(drained).toBe(false);
    q.done(key!);
    await drain;
    expect(drained).toBe(true);
    q.add("b");
    expect(q.length).toBe(0);
  });
});

describe("TokenBucket", () => {
  it("lets a burst through, then spaces takes at 1/qps", () => {
    let now = 0;
    const bucket = new TokenBucket(10, 2, () => now);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(0);
    expect(bucket.reserve()).toBe(100);
    expect(bucket.reserve()).toBe(200);
    now = 1000;
    expect(bucket.reserve()).toBe(0);
  });

  it("hands out child changes before tenant changes, and those before resyncs", async () => {
    const q = new WorkQueue({ name: "t" });
    q.add("resync", "low");
    q.add("tenant");
    q.add("child", "high");
    expect([await q.get(), await q.get(), await q.get()]).toEqual(["child", "tenant", "resync"]);
  });

  it("moves a waiting key up when it is added again with a higher priority, once", async () => {
    const q = new WorkQueue({ name: "t" });
    q.add("a", "low");
    q.add("b", "low");
    q.add("b", "high");
    q.add("b", "low"); // a lower priority never moves a key down
    expect(q.length).toBe(2);
    expect(await q.get()).toBe("b");
    expect(await q.get()).toBe("a");
    expect(q.length).toBe(0);
    q.add("c");
    expect(await q.get()).toBe("c"); // the stale low entry of b was not handed out again
  });

  it("requeues a key changed while processing with the highest priority it was added with", async () => {
    const q = new WorkQueue({ name: "t" });
    q.add("a");
    const key = await q.get();
    q.add("a", "low");
    q.add("a", "high");
    q.add("b");
    q.done(key!);
    expect(await q.get()).toBe("a");
    expect(await q.get()).toBe("b");
  });
});
