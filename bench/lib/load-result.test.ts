import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  type CaseResult,
  caseResult,
  formatCaseTable,
  medianRound,
  parseGhzReport,
  parseWrkDuration,
  parseWrkOutput,
} from "./load-result.js";

const fixture = (name: string): string =>
  readFileSync(new URL(`./testdata/${name}`, import.meta.url), "utf8");

describe("parseGhzReport", () => {
  it("reads rps, p50/p99 in milliseconds and counts non-OK statuses as errors", () => {
    expect(parseGhzReport(fixture("ghz-report.json"))).toEqual({
      rps: 7299.8,
      p50_ms: 1.577,
      p99_ms: 15.707,
      errors: 8,
      requests: 14608,
    });
  });

  it("rejects JSON that is not a ghz report", () => {
    expect(() => parseGhzReport('{"hello": 1}')).toThrow(/not a ghz --format=json report/);
  });
});

describe("parseWrkOutput", () => {
  it("reads Requests/sec and the --latency percentile table of a real wrk run", () => {
    expect(parseWrkOutput(fixture("wrk-latency.txt"))).toEqual({
      rps: 24958.3,
      p50_ms: 0.295,
      p99_ms: 9.36,
      errors: 0,
      requests: 25292,
    });
  });

  it("counts non-2xx responses and socket errors", () => {
    const text =
      fixture("wrk-latency.txt") +
      "  Socket errors: connect 1, read 2, write 0, timeout 3\n  Non-2xx or 3xx responses: 10\n";
    expect(parseWrkOutput(text).errors).toBe(16);
  });

  it("rejects output without the latency table", () => {
    expect(() => parseWrkOutput("Requests/sec: 10\n5 requests in 1s")).toThrow(/--latency/);
  });

  it("converts every wrk duration unit to milliseconds", () => {
    expect(parseWrkDuration("850.00us")).toBe(0.85);
    expect(parseWrkDuration("1.5ms")).toBe(1.5);
    expect(parseWrkDuration("2.01s")).toBe(2010);
    expect(() => parseWrkDuration("fast")).toThrow(/not a wrk duration/);
  });
});

describe("caseResult and formatCaseTable", () => {
  const result = (rps: number) => ({ rps, p50_ms: 1, p99_ms: 2, errors: 0, requests: rps });

  it("reports ours/reference as a ratio rounded to two decimals", () => {
    expect(caseResult("grpc_add", result(800), result(1000)).ratio).toBe(0.8);
    expect(caseResult("grpc_add", result(1), result(3)).ratio).toBe(0.33);
  });

  it("gives NaN rather than Infinity when the reference served nothing", () => {
    expect(caseResult("x", result(5), result(0)).ratio).toBeNaN();
  });

  it("reports the CPU per request ratio, NaN when a side has no CPU figure", () => {
    const cpu = (us: number) => ({ ...result(100), cpu_us_per_req: us });
    expect(caseResult("grpc_add", cpu(60), cpu(20)).cpu_ratio).toBe(3);
    expect(caseResult("grpc_add", result(100), cpu(20)).cpu_ratio).toBeNaN();
  });

  it("judges a CPU goal (at most) and a throughput goal (at least)", () => {
    const cpu = (us: number) => ({ ...result(100), cpu_us_per_req: us });
    const cpuGoal = { metric: "cpu_ratio", max: 2 } as const;
    expect(caseResult("a", cpu(40), cpu(20), { goal: cpuGoal }).goal).toEqual({
      ...cpuGoal,
      met: true,
    });
    expect(caseResult("a", cpu(41), cpu(20), { goal: cpuGoal }).goal?.met).toBe(false);
    expect(caseResult("a", result(100), result(100), { goal: cpuGoal }).goal?.met).toBe(false);
    const rpsGoal = { metric: "ratio", min: 0.5 } as const;
    const stored = caseResult("b", result(500), result(1000), {
      backend: "postgres",
      goal: rpsGoal,
    });
    expect(stored).toMatchObject({ backend: "postgres", ratio: 0.5, goal: { met: true } });
    expect(caseResult("b", result(499), result(1000), { goal: rpsGoal }).goal?.met).toBe(false);
  });

  it("never counts a run with errors as meeting its goal", () => {
    const failing = { ...result(900), errors: 3 };
    const goal = { metric: "ratio", min: 0.5 } as const;
    expect(caseResult("b", failing, result(1000), { goal }).goal?.met).toBe(false);
  });

  it("prints one line per case under a header", () => {
    const table = formatCaseTable([
      caseResult("http_counter", result(500), result(1000), {
        backend: "embedded",
        goal: { metric: "ratio", min: 0.5 },
      }),
    ]);
    expect(table.split("\n")).toHaveLength(2);
    expect(table).toMatch(/^case\s+ours rps/);
    expect(table).toMatch(/http_counter\/embedded\s+500\s+1000\s+0\.50/);
    expect(table).toMatch(/ratio>=0\.5 met$/);
  });
});

describe("medianRound", () => {
  const pair = (oursCpu: number, oursRps = 100): CaseResult =>
    caseResult(
      "grpc_add",
      { rps: oursRps, p50_ms: 1, p99_ms: 2, errors: 0, requests: 1000, cpu_us_per_req: oursCpu },
      { rps: 100, p50_ms: 1, p99_ms: 2, errors: 0, requests: 1000, cpu_us_per_req: 10 },
      { goal: { metric: "cpu_ratio", max: 2 } },
    );

  it("keeps the round with the median CPU ratio, and lists every round", () => {
    const result = medianRound([pair(40), pair(19), pair(25)]);
    expect(result.cpu_ratio).toBe(2.5);
    expect(result.goal?.met).toBe(false);
    expect(result.rounds.map((r) => r.cpu_ratio)).toEqual([4, 1.9, 2.5]);
  });

  it("judges a throughput goal by the median throughput ratio", () => {
    const throughput = (rps: number): CaseResult => ({
      ...pair(10, rps),
      goal: { metric: "ratio", min: 0.5, met: rps >= 50 },
    });
    expect(medianRound([throughput(30), throughput(90), throughput(60)]).ratio).toBe(0.6);
  });

  it("takes the lower middle of an even count, and leaves out rounds without a figure", () => {
    expect(medianRound([pair(30), pair(20)]).cpu_ratio).toBe(2);
    const unmeasured = caseResult(
      "x",
      { ...pair(1).ours, cpu_us_per_req: undefined },
      pair(1).reference,
    );
    expect(medianRound([unmeasured, pair(30), pair(50)]).cpu_ratio).toBe(3);
  });

  it("refuses an empty list", () => {
    expect(() => medianRound([])).toThrow(/no rounds/);
  });
});
