/**
 * An exclusive lock on the embedded store's data directory: each service process serves
 * reads and counter blocks as if it were the directory's only user, so a second process
 * opening the same directory would break the counter's never-repeat guarantee. The lock is a file
 * holding {pid, host, token}, created atomically (written aside, then hard-linked into
 * place, so nobody ever reads it half-written) and touched by a heartbeat.
 *
 * A lock is stale, and taken over, when its owner is provably gone: same host and the pid
 * is dead (kill -9) or is our own pid (a restarted container is pid 1 again), or the
 * heartbeat is older than `staleAfterMs` (owner on another host, or its pid reused).
 * Otherwise acquiring fails with DataDirLockedError: at once by default, or after `waitMs`
 * of waiting for the owner to release it. Waiting is what a pod needs: when Kubernetes
 * replaces a deleted pod, the new one starts while the old one is still shutting down and
 * holds the lock for a few more seconds (its host name differs, so only its release or its
 * silent heartbeat frees the directory).
 */
import { randomBytes } from "node:crypto";
import { link, readFile, rename, stat, unlink, utimes, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export const LOCK_FILE_NAME = "service.lock";

export class DataDirLockedError extends Error {
  override readonly name = "DataDirLockedError";
}

export interface LockOptions {
  /** How often the owner touches the lock file. Default 5 s. */
  heartbeatMs?: number;
  /** A lock untouched for this long is stale whatever its pid. Default 30 s. */
  staleAfterMs?: number;
  /** Told why a stale lock (crashed owner) is being taken over, for the log. */
  onTakeover?: (reason: string) => void;
  /** Called when the heartbeat finds the lock file gone or owned by someone else. */
  onLost?: (reason: string) => void;
  /**
   * How long to wait for a live owner to release the lock (or go stale) before failing.
   * Default 0: fail at once.
   */
  waitMs?: number;
  /** How often a waiting caller looks at the lock again. Default 250 ms. */
  pollMs?: number;
  /** Told once, when a live owner makes this caller wait, for the log. */
  onWait?: (reason: string) => void;
}

export interface DirectoryLock {
  readonly path: string;
  /** Stops the heartbeat and removes the lock file if it is still ours. Idempotent. */
  release(): Promise<void>;
}

/** Lock files held by this process. */
const heldHere = new Set<string>();

interface LockContent {
  pid: number;
  host: string;
  token: string;
  since: string;
}

/** Takes the lock on `dir` (which must exist) or throws DataDirLockedError. */
export async function lockDirectory(
  dir: string,
  options: LockOptions = {},
): Promise<DirectoryLock> {
  const path = join(dir, LOCK_FILE_NAME);
  // Our own pid in a lock file normally means a restarted container, so this process is
  // kept from opening one directory twice by this separate guard.
  if (heldHere.has(path)) {
    throw new DataDirLockedError(`data directory ${dir} is already open in this process`);
  }
  heldHere.add(path); // before any await: a concurrent call in this process must not race us
  try {
    return await acquire(dir, path, options);
  } catch (error) {
    heldHere.delete(path);
    throw error;
  }
}

async function acquire(dir: string, path: string, options: LockOptions): Promise<DirectoryLock> {
  const staleAfterMs = options.staleAfterMs ?? 30_000;
  const mine: LockContent = {
    pid: process.pid,
    host: hostname(),
    token: randomBytes(12).toString("hex"),
    since: new Date().toISOString(),
  };
  const deadline = Date.now() + (options.waitMs ?? 0);
  let told = false;
  for (let attempt = 0; attempt < 5;) {
    if (await tryCreate(path, mine)) return startHeartbeat(path, mine, options);
    const observed = await readLock(path);
    if (observed === "missing") {
      attempt++;
      continue;
    }
    const reason = staleReason(observed, staleAfterMs);
    if (reason !== undefined) {
      attempt++;
      options.onTakeover?.(`taking over stale lock ${path}: ${reason}`);
      await breakStaleLock(path, observed);
      continue;
    }
    // A live owner: not a race of ours, so it does not count as an attempt.
    if (Date.now() >= deadline) throw lockedError(dir, path, observed);
    if (!told) {
      told = true;
      options.onWait?.(
        `data directory ${dir} is held by ${ownerOf(observed)}: waiting up to ` +
          `${Math.ceil((deadline - Date.now()) / 1000)} s for it to be released`,
      );
    }
    await sleep(Math.min(options.pollMs ?? 250, Math.max(1, deadline - Date.now())));
  }
  throw new DataDirLockedError(`could not lock data directory ${dir}: ${path} keeps changing`);
}

async function tryCreate(path: string, content: LockContent): Promise<boolean> {
  const aside = `${path}.${content.token}.tmp`;
  await writeFile(aside, JSON.stringify(content) + "\n", { mode: 0o644 });
  try {
    await link(aside, path); // atomic: fails with EEXIST if anyone holds the lock
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await unlink(aside).catch(() => undefined);
  }
}

export interface ObservedLock {
  raw: string;
  content: LockContent | undefined;
  ageMs: number;
}

async function readLock(path: string): Promise<ObservedLock | "missing"> {
  try {
    const [raw, info] = await Promise.all([readFile(path, "utf8"), stat(path)]);
    return { raw, content: parseContent(raw), ageMs: Date.now() - info.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return "missing";
    throw error;
  }
}

function parseContent(raw: string): LockContent | undefined {
  try {
    const value = JSON.parse(raw) as Partial<LockContent>;
    if (typeof value.pid === "number" && typeof value.host === "string") {
      return {
        pid: value.pid,
        host: value.host,
        token: String(value.token),
        since: String(value.since),
      };
    }
  } catch {
    // unreadable content: judged by its age alone
  }
  return undefined;
}

/** Why an observed lock may be taken over, or undefined while its owner may be alive. */
export function staleReason(observed: ObservedLock, staleAfterMs: number): string | undefined {
  if (observed.ageMs > staleAfterMs)
    return `heartbeat is ${Math.round(observed.ageMs / 1000)} s old`;
  const owner = observed.content;
  if (owner === undefined || owner.host !== hostname()) return undefined;
  if (owner.pid === process.pid) return "it names our own pid (a restarted container)";
  if (!processAlive(owner.pid)) return `process ${owner.pid} is gone`;
  return undefined;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Moves a stale lock aside. If, between our read and the rename, someone else replaced it
 * with a fresh lock, we moved theirs: put it back (link refuses to clobber) and let the
 * caller's next attempt report the directory as locked.
 */
async function breakStaleLock(path: string, stale: ObservedLock): Promise<void> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString("hex")}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = await readFile(aside, "utf8").catch(() => "");
  if (moved !== stale.raw) await link(aside, path).catch(() => undefined);
  await unlink(aside).catch(() => undefined);
}

function ownerOf(observed: ObservedLock): string {
  return observed.content
    ? `process ${observed.content.pid} on ${observed.content.host} (since ${observed.content.since})`
    : "another process";
}

function lockedError(dir: string, path: string, observed: ObservedLock): DataDirLockedError {
  return new DataDirLockedError(
    `data directory ${dir} is in use by ${ownerOf(observed)}: the embedded store allows one process per data directory. ` +
      `Stop that process, give this one its own DATA_DIR, or set DATABASE_URL to share a ` +
      `PostgreSQL server. (Lock file: ${path}; it is taken over automatically once its owner ` +
      `is gone.)`,
  );
}

function startHeartbeat(path: string, mine: LockContent, options: LockOptions): DirectoryLock {
  let released = false;
  const beat = async (): Promise<void> => {
    const observed = await readLock(path);
    if (released) return;
    if (observed === "missing" || observed.content?.token !== mine.token) {
      options.onLost?.(`lock file ${path} was removed or taken over by another process`);
      return;
    }
    const now = new Date();
    await utimes(path, now, now);
  };
  const timer = setInterval(() => {
    beat().catch((error: unknown) =>
      options.onLost?.(`cannot refresh lock ${path}: ${String(error)}`),
    );
  }, options.heartbeatMs ?? 5_000);
  timer.unref();
  return {
    path,
    async release(): Promise<void> {
      if (released) return;
      released = true;
      clearInterval(timer);
      heldHere.delete(path);
      const observed = await readLock(path);
      if (observed !== "missing" && observed.content?.token === mine.token) {
        await unlink(path).catch(() => undefined);
      }
    },
  };
}
