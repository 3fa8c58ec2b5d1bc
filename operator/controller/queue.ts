/**
 * A rate-limited work queue with client-go's semantics:
 * - a key waits in the queue at most once (adds dedupe);
 * - a key being processed is never handed to a second worker; if it is added meanwhile it is
 *   marked dirty and handed out again after done(key), so no change is lost;
 * - addRateLimited delays a key by max(per-key exponential backoff, a global token bucket),
 *   forget(key) resets its backoff; addAfter delays a key (the earliest pending delay wins);
 * - shutDown() stops handing out keys; get() then answers undefined, and drain() waits for the
 *   keys being processed to be done;
 * - three priorities, like controller-runtime's priority queue: "high" for a change to a child
 *   (a Deployment became Available: the status is one cheap reconcile away), "normal" for a
 *   change to a Tenant, "low" for periodic resyncs. FIFO within a priority; adding a waiting key
 *   again with a higher priority moves it up. Without this, at a thousand tenants the status
 *   updates queued behind a thousand first-time reconciles, and Ready lagged minutes behind.
 */
import type { Metrics } from "../metrics.js";
import { backoffDelay, type BackoffPolicy } from "../kube/backoff.js";

export interface QueueOptions {
  name: string;
  /** Per-key backoff of addRateLimited; default 5 ms doubling up to 5 minutes. */
  perKey?: BackoffPolicy;
  /** Global bucket of addRateLimited: qps and burst; default 10 qps, burst 100. */
  qps?: number;
  burst?: number;
  metrics?: Metrics;
  now?: () => number;
}

export type Priority = "high" | "normal" | "low";

const PRIORITIES: readonly Priority[] = ["high", "normal", "low"];
const RANK: Record<Priority, number> = { high: 2, normal: 1, low: 0 };

/** A FIFO of keys with O(1) push and shift (a head index, compacted now and then). */
class Fifo {
  private items: string[] = [];
  private head = 0;
  push(key: string): void {
    this.items.push(key);
  }
  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return key;
  }
}

export class TokenBucket {
  private tokens: number;
  private last: number;
  constructor(
    private readonly qps: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = now();
  }
  /** Takes one token and answers how long (ms) the caller must wait for it. */
  reserve(): number {
    const t = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.qps);
    this.last = t;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }
}

export class WorkQueue {
  private readonly lanes: Record<Priority, Fifo> = {
    high: new Fifo(),
    normal: new Fifo(),
    low: new Fifo(),
  };
  /** Keys waiting in a lane, with the lane that counts (entries in other lanes are stale). */
  private readonly queued = new Map<string, Priority>();
  /** Keys added and not yet handed out, with the highest priority they were added with. */
  private readonly dirty = new Map<string, Priority>();
  private readonly processing = new Set<string>();
  private readonly waiters: ((key: string | undefined) => void)[] = [];
  private readonly delayed = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private readonly failures = new Map<string, number>();
  private readonly bucket: TokenBucket;
  private readonly drainWaiters: (() => void)[] = [];
  private shuttingDown = false;
  private readonly now: () => number;

  constructor(private readonly options: QueueOptions) {
    this.now = options.now ?? Date.now;
    this.bucket = new TokenBucket(options.qps ?? 10, options.burst ?? 100, this.now);
  }

  get length(): number {
    return this.queued.size;
  }

  add(key: string, priority: Priority = "normal"): void {
    if (this.shuttingDown) return;
    const pending = this.dirty.get(key);
    if (pending !== undefined) {
      if (RANK[priority] <= RANK[pending]) return;
      this.dirty.set(key, priority);
      if (this.queued.has(key)) this.push(key, priority); // moves up; the old entry goes stale
      return;
    }
    this.dirty.set(key, priority);
    this.options.metrics?.workqueueAdds.inc({ name: this.options.name });
    if (this.processing.has(key)) return;
    this.enqueue(key, priority);
  }

  /** Adds the key after `ms` (at once when ms <= 0); an earlier pending delay is kept. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const at = this.now() + ms;
    const pending = this.delayed.get(key);
    if (pending && pending.at <= at) return;
    if (pending) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, ms);
    timer.unref();
    this.delayed.set(key, { at, timer });
  }

  /** Adds the key after its per-key backoff (which grows with each call) and the global rate limit. */
  addRateLimited(key: string): void {
    const n = this.failures.get(key) ?? 0;
    this.failures.set(key, n + 1);
    this.options.metrics?.workqueueRetries.inc({ name: this.options.name });
    const perKey = backoffDelay(this.options.perKey ?? { baseMs: 5, maxMs: 300_000 }, n);
    this.addAfter(key, Math.max(perKey, this.bucket.reserve()));
  }

  /** How many times the key went through addRateLimited since its last forget. */
  retries(key: string): number {
    return this.failures.get(key) ?? 0;
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key to process; waits for one; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.next();
    if (key !== undefined) return Promise.resolve(this.startProcessing(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key processed; if it was added meanwhile it goes back in the queue. */
  done(key: string): void {
    this.processing.delete(key);
    this.updateGauges();
    const again = this.dirty.get(key);
    if (again !== undefined && !this.shuttingDown) this.enqueue(key, again);
    if (this.processing.size === 0) this.drainWaiters.splice(0).forEach((fn) => fn());
  }

  /** Stops handing out keys: waiting get() calls answer undefined; pending delays are dropped. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) clearTimeout(timer);
    this.delayed.clear();
    this.waiters.splice(0).forEach((resolve) => resolve(undefined));
  }

  /** Resolves when no key is being processed. */
  drain(): Promise<void> {
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  private enqueue(key: string, priority: Priority): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.startProcessing(key));
    else this.push(key, priority);
    this.updateGauges();
  }

  private push(key: string, priority: Priority): void {
    this.lanes[priority].push(key);
    this.queued.set(key, priority);
  }

  /** Takes the first waiting key of the highest non-empty lane, skipping stale entries. */
  private next(): string | undefined {
    for (const priority of PRIORITIES) {
      for (
        let key = this.lanes[priority].shift();
        key !== undefined;
        key = this.lanes[priority].shift()
      ) {
        if (this.queued.get(key) !== priority) continue;
        this.queued.delete(key);
        return key;
      }
    }
    return undefined;
  }

  private startProcessing(key: string): string {
    this.dirty.delete(key);
    this.processing.add(key);
    this.updateGauges();
    return key;
  }

  private updateGauges(): void {
    const m = this.options.metrics;
    if (!m) return;
    m.workqueueDepth.set({ name: this.options.name }, this.queued.size);
    m.workqueueUnfinishedWork.set({ name: this.options.name }, this.processing.size);
  }
}
