/**
 * The four service cases and how each load tool drives one server for one case. The same
 * arguments go to ours and to the reference; only the address differs.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LoadResult, parseGhzReport, parseWrkOutput } from "../lib/load-result.js";
import { runToCompletion } from "../lib/processes.js";
import { CALC_PROTO } from "./sanity.js";

export type BenchCase =
  | { name: string; kind: "grpc"; call: string; data: object }
  | { name: string; kind: "http"; path: string };

export const CASES: readonly BenchCase[] = [
  { name: "grpc_add", kind: "grpc", call: "calc.Calc.Add", data: { a: "1234567", b: "7654321" } },
  {
    name: "grpc_nthprimes",
    kind: "grpc",
    call: "calc.Calc.NthPrimes",
    data: { n: ["1", "12", "1000", "10001"] },
  },
  { name: "http_fibonacci", kind: "http", path: "/fibonacci/100/" },
  { name: "http_counter", kind: "http", path: "/getCounter" },
];

export interface LoadSettings {
  ghz: string;
  wrk: string;
  concurrency: number;
  /** gRPC connections ghz spreads its workers over (so several server workers get load). */
  connections: number;
  durationS: number;
}

export interface Target {
  grpcAddress: string;
  httpBase: string;
}

async function runGhz(
  s: LoadSettings,
  target: Target,
  c: BenchCase & { kind: "grpc" },
  seconds: number,
): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), "bench-ghz-"));
  const out = join(dir, "report.json");
  try {
    const args = [
      "--insecure",
      `--proto=${CALC_PROTO}`,
      `--call=${c.call}`,
      `--data=${JSON.stringify(c.data)}`,
      `--concurrency=${s.concurrency}`,
      `--connections=${s.connections}`,
      "--cpus=1",
      `--duration=${seconds}s`,
      "--duration-stop=ignore",
      "--format=json",
      `--output=${out}`,
      target.grpcAddress,
    ];
    const run = await runToCompletion(s.ghz, args, (seconds + 30) * 1000);
    if (run.code !== 0) throw new Error(`ghz exited ${run.code}: ${run.stderr.slice(-2000)}`);
    return parseGhzReport(readFileSync(out, "utf8"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runWrk(
  s: LoadSettings,
  target: Target,
  c: BenchCase & { kind: "http" },
  seconds: number,
): Promise<LoadResult> {
  const args = [
    "-t1",
    `-c${s.concurrency}`,
    `-d${seconds}s`,
    "--timeout=10s",
    "--latency",
    `${target.httpBase}${c.path}`,
  ];
  const run = await runToCompletion(s.wrk, args, (seconds + 30) * 1000);
  if (run.code !== 0) throw new Error(`wrk exited ${run.code}: ${run.stderr.slice(-2000)}`);
  return parseWrkOutput(run.stdout);
}

/** Drives one case against one server for `seconds` and returns its figures. */
export function runLoad(
  s: LoadSettings,
  target: Target,
  c: BenchCase,
  seconds: number,
): Promise<LoadResult> {
  return c.kind === "grpc" ? runGhz(s, target, c, seconds) : runWrk(s, target, c, seconds);
}
