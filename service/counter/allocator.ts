/**
 * Hands out values of one durable counter. Guarantees, across concurrent calls, restarts,
 * kill -9 and replicas sharing a database:
 * - unique forever: no value is ever handed out twice;
 * - increasing per process: each value this allocator hands out is greater than every value
 *   it handed out before;
 * - not gap-free: values reserved but not handed out when a process dies are skipped.
 *
 * Block mode (blockSize > 1): one statement reserves [first, first + blockSize) in the
 * database, then calls are served from memory; one refill at a time, concurrent callers
 * wait for it. Strict mode (blockSize = 1): every call is its own durable reservation.
 */
import type { CounterRepository } from "../store/counter-repo.js";

export const DEFAULT_COUNTER_NAME = "default";
export const DEFAULT_BLOCK_SIZE = 100;

export interface CounterAllocatorOptions {
  /** Values reserved per database round trip; 1 means strict mode. Default 100. */
  blockSize?: number;
  name?: string;
}

export class CounterAllocator {
  readonly blockSize: bigint;
  readonly name: string;
  /** Values in [cursor, end) are reserved in the database and not yet handed out. */
  private cursor = 0n;
  private end = 0n;
  private refill: Promise<void> | undefined;
  private closed = false;

  constructor(
    private readonly repo: CounterRepository,
    options: CounterAllocatorOptions = {},
  ) {
    const size = options.blockSize ?? DEFAULT_BLOCK_SIZE;
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new RangeError(`counter block size must be a whole number >= 1, got ${size}`);
    }
    this.blockSize = BigInt(size);
    this.name = options.name ?? DEFAULT_COUNTER_NAME;
  }

  get strict(): boolean {
    return this.blockSize === 1n;
  }

  /** The next value. Rejects if the database cannot reserve; the next call retries. */
  async next(): Promise<bigint> {
    if (this.strict) {
      this.assertOpen();
      return this.repo.reserve(this.name, 1n);
    }
    for (;;) {
      this.assertOpen();
      if (this.cursor < this.end) return this.cursor++;
      this.refill ??= this.reserveBlock().finally(() => (this.refill = undefined));
      await this.refill;
    }
  }

  private async reserveBlock(): Promise<void> {
    const first = await this.repo.reserve(this.name, this.blockSize);
    this.cursor = first;
    this.end = first + this.blockSize;
  }

  /**
   * Stops handing out values and gives the unused rest of the block back when no other
   * process reserved after it (fewer gaps across orderly restarts). Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.refill?.catch(() => undefined);
    const [from, end] = [this.cursor, this.end];
    this.cursor = this.end;
    if (from < end) await this.repo.giveBack(this.name, from, end);
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("counter is closed");
  }
}
