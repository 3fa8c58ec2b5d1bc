/**
 * Where a process's anonymous memory goes, read from its own Prometheus metrics: V8's heap,
 * space by space (prom-client's nodejs_heap_space_size_total_bytes: memory V8 has committed,
 * live objects and garbage alike). The rest of the anonymous RSS is outside V8's heap: malloc'd
 * buffers (jemalloc's), thread stacks, the compilers' zones.
 */

const SPACE_LINE =
  /^nodejs_heap_space_size_total_bytes\{space="([a-z_]+)"\} (\d+(?:\.\d+)?(?:e\+\d+)?)$/;

/** Committed MiB per V8 heap space (spaces of zero size left out), in the order listed. */
export function heapSpacesFromMetrics(text: string): Record<string, number> {
  const spaces: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const match = SPACE_LINE.exec(line.trim());
    if (!match) continue;
    const bytes = Number(match[2]);
    if (bytes > 0) spaces[match[1]!] = bytes / 2 ** 20;
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
