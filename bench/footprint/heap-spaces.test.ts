import { describe, expect, it } from "vitest";
import { heapSpacesFromMetrics } from "./heap-spaces.js";

// Lines of the service's real /metrics answer, among others the parser ignores.
const METRICS = [
  "# HELP nodejs_heap_space_size_total_bytes Process heap space size total from Node.js in bytes.",
  "# TYPE nodejs_heap_space_size_total_bytes gauge",
  'nodejs_heap_space_size_total_bytes{space="read_only"} 0',
  'nodejs_heap_space_size_total_bytes{space="new"} 8388608',
  'nodejs_heap_space_size_total_bytes{space="old"} 19660800',
  'nodejs_heap_space_size_total_bytes{space="code"} 2883584',
  'nodejs_heap_space_size_used_bytes{space="old"} 12000000',
  "process_resident_memory_bytes 91262976",
].join("\n");

describe("heapSpacesFromMetrics", () => {
  it("reads the committed size of each non-empty space in MiB, not the used size", () => {
    expect(heapSpacesFromMetrics(METRICS)).toEqual({ new: 8, old: 18.75, code: 2.75 });
  });

  it("refuses metrics without heap spaces instead of reporting an empty heap", () => {
    expect(() => heapSpacesFromMetrics("process_resident_memory_bytes 1\n")).toThrow(
      /no nodejs_heap/,
    );
  });
});
