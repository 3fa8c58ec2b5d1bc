/**
 * The V8 heap settings the service gives itself at start: the ones NODE_OPTIONS refuses to carry
 * (the image's NODE_OPTIONS holds the rest: --max-old-space-size, --max-semi-space-size).
 *
 * --heap-growing-percent: after each full garbage collection V8 lets old space grow by a factor
 * before the next one. For a heap bounded as small as a tenant's (64 MiB) it picks 1.3, or its
 * minimum step of about 11 MiB, so under gRPC load the service ran a full mark-compact about every
 * 0.7 s (at 28 MiB for 17 MiB live), each marking all the live modules and code again, mostly on
 * V8's helper threads. At 2.0 (the limit is twice what survived) they run every 2 s, for the same
 * RSS within bench:footprint's spread; gRPC Add's CPU per call fell by about a tenth
 * (bench/RESULTS.md, "Fewer full collections").
 */
import { setFlagsFromString } from "node:v8";

export const HEAP_GROWING_PERCENT = 100;

/** Applies the settings; V8 reads this one at every full collection, so setting it late is fine. */
export function applyHeapSettings(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
