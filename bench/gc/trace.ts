/**
 * Sums of V8's --trace-gc-nvp lines (one "key=value key=value ..." line per collection): what the
 * scavenges allocated, copied and promoted, their pauses, and how many mark-compacts ran.
 */
export interface GcSummary {
  scavenges: number;
  markCompacts: number;
  /** Bytes allocated between collections, as the scavenges report them. */
  allocatedBytes: number;
  /** Bytes the scavenges moved to the old generation. */
  promotedBytes: number;
  /** Bytes the scavenges kept in the young generation. */
  survivedBytes: number;
  scavengeMs: number;
  /** Main-thread pauses of every collection. */
  pauseMs: number;
}

export function summarizeGcTrace(text: string): GcSummary {
  const summary: GcSummary = {
    scavenges: 0,
    markCompacts: 0,
    allocatedBytes: 0,
    promotedBytes: 0,
    survivedBytes: 0,
    scavengeMs: 0,
    pauseMs: 0,
  };
  for (const line of text.split("\n")) {
    const kind = /(?:^|\s)gc=(\S+)/.exec(line)?.[1];
    if (kind === undefined) continue;
    const field = (name: string): number =>
      Number(new RegExp(`(?:^|\\s)${name}=([0-9.]+)`).exec(line)?.[1] ?? 0);
    summary.pauseMs += field("pause");
    if (kind === "s") {
      summary.scavenges++;
      summary.allocatedBytes += field("allocated");
      summary.promotedBytes += field("promoted");
      summary.survivedBytes += field("new_space_survived");
      summary.scavengeMs += field("pause");
    } else if (kind === "mc") {
      summary.markCompacts++;
    }
  }
  return summary;
}
