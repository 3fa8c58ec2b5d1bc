/**
 * Resident memory of one process, read from /proc/<pid>/status: VmRSS now, split into anonymous
 * memory (the process's own: heap, malloc) and file pages (mapped files: mostly the `node`
 * binary's code and read-only data, shared with every process that maps the same file); and
 * VmHWM, the kernel's own high-water mark since the process started (so a peak between two
 * samples, during a fresh first start, is never missed).
 */
import { readFileSync } from "node:fs";

export interface Rss {
  rssMib: number;
  anonMib: number;
  fileMib: number;
  hwmMib: number;
}

const field = (status: string, name: string): number => {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, "m").exec(status);
  if (!match) throw new Error(`/proc status has no ${name}`);
  return Number(match[1]) / 1024;
};

/** The figures of `Rss` from the text of /proc/<pid>/status. */
export function rssFromStatus(status: string): Rss {
  return {
    rssMib: field(status, "VmRSS"),
    anonMib: field(status, "RssAnon"),
    fileMib: field(status, "RssFile"),
    hwmMib: field(status, "VmHWM"),
  };
}

export function readRss(pid: number): Rss {
  return rssFromStatus(readFileSync(`/proc/${pid}/status`, "utf8"));
}

type Sample = { atMs: number } & Omit<Rss, "hwmMib">;

/** Samples a process's RSS every `everyMs` until stopped; keeps timed samples. */
export class RssSampler {
  readonly samples: Sample[] = [];
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
      const { rssMib, anonMib, fileMib } = rss;
      this.samples.push({ atMs: Date.now() - this.started, rssMib, anonMib, fileMib });
      return rss;
    } catch {
      return undefined; // the process is gone: its last samples stand
    }
  }

  /** The median of one figure (RSS by default) over the samples taken at or after `fromMs`. */
  medianSince(fromMs: number, figure: "rssMib" | "anonMib" | "fileMib" = "rssMib"): number {
    return median(this.samples.filter((s) => s.atMs >= fromMs).map((s) => s[figure]));
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
