/**
 * Pure helpers that turn the load tools' output (ghz JSON, wrk text) into the one shape
 * bench:service reports, and the case/ratio arithmetic. No I/O: unit-tested in
 * load-result.test.ts so a change in a tool's output format fails a test, not a silent bench.
 */

/** One server's figures for one case. */
export interface LoadResult {
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** Requests that failed (gRPC non-OK, HTTP non-2xx, socket errors). */
  errors: number;
  /** Requests that completed (OK or not). */
  requests: number;
  /** Server CPU (user + system, whole process tree) per request, in microseconds. */
  cpu_us_per_req?: number;
  /** CPU of the database server ours used (PostgreSQL, all its processes) per request, in µs. */
  database_cpu_us_per_req?: number;
}

/**
 * A target of the issue for one case: `ratio` (throughput, ours/reference) at least `min`, or
 * `cpu_ratio` (server CPU per request, ours/reference) at most `max`.
 */
export type Goal = { metric: "ratio"; min: number } | { metric: "cpu_ratio"; max: number };

export interface CaseResult {
  name: string;
  /** For the stored cases: which store ours ran on ("embedded" or "postgres"). */
  backend?: string;
  ours: LoadResult;
  reference: LoadResult;
  /** ours.rps / reference.rps, rounded to 2 decimals. */
  ratio: number;
  /** ours.cpu_us_per_req / reference.cpu_us_per_req, rounded to 2 decimals (NaN if unknown). */
  cpu_ratio: number;
  goal?: Goal & { met: boolean };
}

const round = (value: number, digits: number): number => {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
};

interface GhzReport {
  count?: unknown;
  rps?: unknown;
  latencyDistribution?: unknown;
  statusCodeDistribution?: unknown;
}

/**
 * Parses ghz's `--format=json` report. Latencies in ghz JSON are nanoseconds.
 * Throws with a clear message when the report lacks the fields we read.
 */
export function parseGhzReport(json: string): LoadResult {
  const report = JSON.parse(json) as GhzReport;
  if (typeof report.rps !== "number" || typeof report.count !== "number") {
    throw new Error("ghz report has no numeric rps/count: not a ghz --format=json report?");
  }
  const distribution = Array.isArray(report.latencyDistribution)
    ? (report.latencyDistribution as { percentage: number; latency: number }[])
    : [];
  const percentile = (p: number): number => {
    const entry = distribution.find((d) => d.percentage === p);
    return entry ? round(entry.latency / 1e6, 3) : Number.NaN;
  };
  const statuses = (report.statusCodeDistribution ?? {}) as Record<string, number>;
  const errors = Object.entries(statuses)
    .filter(([code]) => code !== "OK")
    .reduce((sum, [, n]) => sum + n, 0);
  return {
    rps: round(report.rps, 1),
    p50_ms: percentile(50),
    p99_ms: percentile(99),
    errors,
    requests: report.count,
  };
}

const WRK_UNITS_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** "1.23ms" -> 1.23, "850.00us" -> 0.85, "2.01s" -> 2010. */
export function parseWrkDuration(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (!match) throw new Error(`not a wrk duration: ${JSON.stringify(text)}`);
  return round(Number(match[1]) * WRK_UNITS_MS[match[2]!]!, 3);
}

/**
 * Parses wrk's text output, run with `--latency` (for the percentile table).
 * Errors are non-2xx/3xx responses plus socket errors.
 */
export function parseWrkOutput(text: string): LoadResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text);
  const total = /(\d+) requests in /.exec(text);
  const p50 = /^\s+50(?:\.000)?%\s+(\S+)/m.exec(text);
  const p99 = /^\s+99(?:\.000)?%\s+(\S+)/m.exec(text);
  if (!rps || !total || !p50 || !p99) {
    throw new Error("wrk output lacks Requests/sec or the latency table: was --latency given?");
  }
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  return {
    rps: round(Number(rps[1]), 1),
    p50_ms: parseWrkDuration(p50[1]!),
    p99_ms: parseWrkDuration(p99[1]!),
    errors: (non2xx ? Number(non2xx[1]) : 0) + socketErrors,
    requests: Number(total[1]),
  };
}

const quotient = (a: number | undefined, b: number | undefined): number =>
  a !== undefined && b !== undefined && b > 0 ? a / b : Number.NaN;

export function caseResult(
  name: string,
  ours: LoadResult,
  reference: LoadResult,
  extra: { backend?: string; goal?: Goal } = {},
): CaseResult {
  // Goals are judged on the exact quotients; the report shows them rounded.
  const ratio = quotient(ours.rps, reference.rps);
  const cpuRatio = quotient(ours.cpu_us_per_req, reference.cpu_us_per_req);
  const result: CaseResult = {
    name,
    ...(extra.backend !== undefined && { backend: extra.backend }),
    ours,
    reference,
    ratio: round(ratio, 2),
    cpu_ratio: round(cpuRatio, 2),
  };
  const goal = extra.goal;
  if (goal) {
    // A NaN figure (nothing measured) never meets a goal; errors in either side neither.
    const clean = ours.errors === 0 && reference.errors === 0;
    const met =
      goal.metric === "ratio" ? ratio >= goal.min : cpuRatio <= goal.max && !Number.isNaN(cpuRatio);
    result.goal = { ...goal, met: clean && met };
  }
  return result;
}

/** One round of a case: ours then the reference, back to back. */
export interface RoundSummary {
  ratio: number;
  cpu_ratio: number;
}

/**
 * The case's result from several rounds of (ours, reference) pairs: the round whose figure for
 * the case's goal (CPU ratio when it has none) is the median, with every round's two ratios
 * attached. On a shared host whose speed drifts, a ratio from one pair measured back to back is
 * sound, while a slow spell during one half of a single long pair skews it; the median round
 * leaves such a spell out. Rounds without the figure (nothing measured) are not candidates
 * unless no round has it; an even count takes the lower middle.
 */
export function medianRound(rounds: readonly CaseResult[]): CaseResult & {
  rounds: RoundSummary[];
} {
  if (rounds.length === 0) throw new Error("medianRound: no rounds");
  const figure = (c: CaseResult): number => (c.goal?.metric === "ratio" ? c.ratio : c.cpu_ratio);
  const measured = rounds.filter((c) => !Number.isNaN(figure(c)));
  const sorted = (measured.length > 0 ? measured : [...rounds]).sort(
    (a, b) => figure(a) - figure(b),
  );
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  return { ...median, rounds: rounds.map((c) => ({ ratio: c.ratio, cpu_ratio: c.cpu_ratio })) };
}

function goalText(goal: CaseResult["goal"]): string {
  if (!goal) return "-";
  const bound = goal.metric === "ratio" ? `ratio>=${goal.min}` : `cpu<=${goal.max}x`;
  return `${bound} ${goal.met ? "met" : "MISSED"}`;
}

/** A short fixed-width table for people (stderr); the JSON on stdout is the record. */
export function formatCaseTable(cases: readonly CaseResult[]): string {
  const header = [
    "case",
    "ours rps",
    "ref rps",
    "ratio",
    "ours p50/p99 ms",
    "ref p50/p99 ms",
    "cpu us/req ours/ref",
    "cpu ratio",
    "goal",
  ];
  const rows = cases.map((c) => [
    c.backend ? `${c.name}/${c.backend}` : c.name,
    c.ours.rps.toFixed(0),
    c.reference.rps.toFixed(0),
    c.ratio.toFixed(2),
    `${c.ours.p50_ms}/${c.ours.p99_ms}`,
    `${c.reference.p50_ms}/${c.reference.p99_ms}`,
    `${c.ours.cpu_us_per_req ?? "?"}/${c.reference.cpu_us_per_req ?? "?"}`,
    c.cpu_ratio.toFixed(2),
    goalText(c.goal),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows]
    .map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join("  "))
    .join("\n");
}
