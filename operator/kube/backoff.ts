/**
 * Exponential backoff: base * factor^attempt, capped at max, with optional jitter
 * (a random share of up to `jitter` of the delay is added, so replicas do not retry in step).
 * Pure: the random source is a parameter.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  factor?: number;
  /** 0..1: at most this fraction of the delay is added at random. */
  jitter?: number;
}

export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const factor = policy.factor ?? 2;
  const exp = Math.min(Math.max(attempt, 0), 64);
  const raw = Math.min(policy.baseMs * Math.pow(factor, exp), policy.maxMs);
  const jitter = policy.jitter ?? 0;
  return Math.round(Math.min(raw * (1 + jitter * random()), policy.maxMs * (1 + jitter)));
}

/** Resolves after `ms`, or at once when the signal aborts (never rejects). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });
}
