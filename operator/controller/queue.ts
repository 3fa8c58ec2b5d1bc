/**
 * A rate-limited work queue with client-go's semantics:
 * - a key waits in the queue at most once (adds dedupe);
 * - a key being processed is never handed to a second worker; if it is added meanwhile it is
 *   marked dirty and handed out again after done(key), so no change is lost;
 * - addRateLimited delays a key by max(per-key exponential backoff, a global token bucket),
 *   forget(key) resets its backoff; addAfter delays a key (the earliest pending delay wins);
 * - shutDown() stops handing out keys; get() then answers undefined, and drain() waits for the
 *   keys being processed to be done.
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
  private readonly queue: string[] = [];
  private readonly dirty = new Set<string>();
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
    return this.queue.length;
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.dirty.add(key);
    this.options.metrics?.workqueueAdds.inc({ name: this.options.name });
    if (this.processing.has(key)) return;
    this.enqueue(key);
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
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.startProcessing(key));
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks the key processed; if it was added meanwhile it goes back in the queue. */
  done(key: string): void {
    this.processing.delete(key);
    this.updateGauges();
    if (this.dirty.has(key) && !this.shuttingDown) this.enqueue(key);
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

  private enqueue(key: string): void {
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.startProcessing(key));
    else this.queue.push(key);
    this.updateGauges();
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
    m.workqueueDepth.set({ name: this.options.name }, this.queue.length);
    m.workqueueUnfinishedWork.set({ name: this.options.name }, this.processing.size);
  }
}
