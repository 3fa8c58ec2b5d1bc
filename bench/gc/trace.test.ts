import { describe, expect, it } from "vitest";
import { summarizeGcTrace } from "./trace.js";

// Two collections as Node 24's V8 prints them with --trace-gc-nvp (fields trimmed), between
// other output a server writes to the same stream.
const TRACE = [
  '{"level":40,"msg":"AUTHENTICATION IS OFF"}',
  "pause=3.4 mutator=50.1 gc=s reduce_memory=0 allocated=3000000 promoted=600000 new_space_survived=650000 scavenge=3.29",
  "pause=2.6 mutator=40.0 gc=s reduce_memory=0 allocated=1000000 promoted=0 new_space_survived=100000 scavenge=2.50",
  "pause=14.4 mutator=700.2 gc=mc reduce_memory=0 mark=12.1 promoted=9999 allocated=5",
  "",
].join("\n");

describe("summarizeGcTrace", () => {
  it("sums the scavenges' allocation, promotion, survival and pauses and counts mark-compacts", () => {
    expect(summarizeGcTrace(TRACE)).toEqual({
      scavenges: 2,
      markCompacts: 1,
      allocatedBytes: 4_000_000,
      promotedBytes: 600_000,
      survivedBytes: 750_000,
      scavengeMs: 6,
      pauseMs: 20.4,
    });
  });

  it("finds nothing in output without collections", () => {
    expect(summarizeGcTrace("ready\n").scavenges).toBe(0);
  });
});
