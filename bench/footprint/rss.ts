/**
 * Resident memory of one process, read from /proc/<pid>/status: VmRSS now, and VmHWM, the
 * kernel's own high-water mark since the process started (so a peak between two samples,
 * during a fresh first start, is never missed).
 */
import { readFileSync } from "node:fs";

export interface Rss {
  rssMib: number;
  hwmMib: number;
}

const field = (status: string, name: string): number => {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status);
  if (!match) throw new Error(`/proc status has no ${name}`);
  return Number(match[1]) / 1024;
};

export function readRss(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return { rssMib: field(status, "VmRSS"), hwmMib: field(status, "VmHWM") };
}

/** Samples a process's RSS every `everyMs` until stopped; keeps (time, MiB) pairs. */
export class RssSampler {
  readonly samples: { atMs: number; mib: number }[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly started = Date.now();

  constructor(
    private readonly pid: number,
    everyMs = 200,
  ) {
    this.timer = setInterval(() => this.sample(), everyMs);
    this.sample();
  }

  sample(): Rss | undefined {
    try {
      const rss = readRss(this.pid);
      this.samples.push({ atMs: Date.now() - this.started, mib: rss.rssMib });
      return rss;
    } catch {
      return undefined; // the process is gone: its last samples stand
    }
  }

  /** The median RSS of the samples taken at or after `fromMs` (since construction). */
  medianSince(fromMs: number): number {
    return median(this.samples.filter((s) => s.atMs >= fromMs).map((s) => s.mib));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The median of memory samples (the upper one of an even count); throws when there are none. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error("no memory samples in the window");
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
