/**
 * Where a process's anonymous memory goes, read from its own Prometheus metrics: V8's heap,
 * space by space (prom-client's nodejs_heap_space_size_total_bytes: memory V8 has committed,
 * live objects and garbage alike). The rest of the anonymous RSS is outside V8's heap: malloc'd
 * buffers (jemalloc's), thread stacks, the compilers' zones.
 */
import { parseSamples } from "../lib/prometheus.js";

/** Committed MiB per V8 heap space (spaces of zero size left out), in the order listed. */
export function heapSpacesFromMetrics(text: string): Record<string, number> {
  const spaces: Record<string, number> = {};
  for (const { name, labels, value } of parseSamples(text)) {
    if (name === "nodejs_heap_space_size_total_bytes" && labels.space && value > 0) {
      spaces[labels.space] = value / 2 ** 20;
    }
  }
  if (Object.keys(spaces).length === 0) {
    throw new Error("no nodejs_heap_space_size_total_bytes in the metrics");
  }
  return spaces;
}

/** Scrapes `${httpBase}/metrics` and reads V8's heap spaces from it. */
export async function readHeapSpaces(httpBase: string): Promise<Record<string, number>> {
  const response = await fetch(`${httpBase}/metrics`);
  if (!response.ok) throw new Error(`GET ${httpBase}/metrics: ${response.status}`);
  return heapSpacesFromMetrics(await response.text());
}
