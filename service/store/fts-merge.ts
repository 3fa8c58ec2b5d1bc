/**
 * Keeps a small trigram index (users_name_trgm) in one segment. FTS5 writes a new segment per
 * transaction and merges them only lazily (automerge), so a directory filled one Create at a
 * time answers SearchName from many segments. Measured (30 users created one by one): 17 index
 * pages and ~108 µs of SQLite per search; merged into one segment, 3 pages and ~23 µs.
 *
 * When writes pause (`idleMs` after the last one), and the index is small (at most
 * MAX_FULL_MERGE_PAGES, where the per-segment overhead dominates a search), it runs FTS5's
 * incremental 'merge' command with a negative page count (segments of any level merge, as
 * 'optimize' does) in steps of PAGES_PER_STEP pages, one step per timer tick so calls are
 * served between steps, until a step finds nothing left to merge. At most once per
 * `minIntervalMs`, so a steady trickle of writes never keeps rewriting the index. A larger
 * index is left to FTS5's own automerge: there a full merge would rewrite megabytes per write
 * (measured at 20,000 users: 4× the write cost) for little gain per search.
 */
import type { DatabaseSync } from "node:sqlite";

const PAGES_PER_STEP = 64;
/** 2,048 pages of 4 KiB: an index of roughly 15,000 users. */
export const MAX_FULL_MERGE_PAGES = 2048;

export interface IndexMerger {
  /** Tells the merger that rows were written. */
  written(): void;
  /** Stops any pending or running merge (before the database closes). */
  stop(): void;
}

export interface IndexMergerOptions {
  table?: string;
  /** Quiet time after the last write before a merge starts. Default 1 s. */
  idleMs?: number;
  /** Least time between the starts of two merges. Default 30 s. */
  minIntervalMs?: number;
  /** Larger indexes are left to FTS5's automerge. Default MAX_FULL_MERGE_PAGES. */
  maxPages?: number;
  onError?: (error: unknown) => void;
}

export function indexMerger(db: DatabaseSync, options: IndexMergerOptions = {}): IndexMerger {
  const table = options.table ?? "users_name_trgm";
  const idleMs = options.idleMs ?? 1000;
  const minIntervalMs = options.minIntervalMs ?? 30_000;
  const merge = db.prepare(`INSERT INTO ${table} (${table}, rank) VALUES ('merge', ?)`);
  const pages = db.prepare(`SELECT count(*) AS n FROM ${table}_data`);
  const totalChanges = db.prepare(`SELECT total_changes() AS n`);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let merging = false;
  let lastStart = Number.NEGATIVE_INFINITY;

  const later = (fn: () => void, delayMs: number): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      if (stopped || !db.isOpen) return;
      try {
        fn();
      } catch (error) {
        merging = false;
        options.onError?.(error); // a busy database: the next write tries again
      }
    }, delayMs);
    timer.unref();
  };
  const step = (): void => {
    const before = Number(totalChanges.get()?.n);
    merge.run(-PAGES_PER_STEP);
    // FTS5: fewer than 2 changes means the step found nothing left to merge.
    if (Number(totalChanges.get()?.n) - before >= 2) later(step, 0);
    else merging = false;
  };
  const start = (): void => {
    const wait = lastStart + minIntervalMs - Date.now();
    if (wait > 0) return later(start, wait);
    if (Number(pages.get()?.n) > (options.maxPages ?? MAX_FULL_MERGE_PAGES)) return;
    lastStart = Date.now();
    merging = true;
    step();
  };

  return {
    written: () => {
      if (!stopped && !merging) later(start, idleMs);
    },
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
  };
}
