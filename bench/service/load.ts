/**
 * The service cases and how each load tool drives one server for one case. The same
 * arguments go to ours and to the reference; only the address differs.
 *
 * "compute" cases touch no store and run once; "stored" cases (the user directory and the
 * counter) run once per backend of ours (embedded store, PostgreSQL). The user cases read the
 * 30 users of seed.ts, loaded into both servers through UserService/Create before any load.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Goal } from "../lib/load-result.js";
import { type LoadResult, parseGhzReport, parseWrkOutput } from "../lib/load-result.js";
import { runToCompletion } from "../lib/processes.js";
import { BENCH_QUERIES } from "./seed.js";

export const protoPath = (file: string): string =>
  fileURLToPath(new URL(`../../service/proto/${file}`, import.meta.url));

type CaseTarget =
  { kind: "grpc"; proto: string; call: string; data: object } | { kind: "http"; path: string };

export type BenchCase = CaseTarget & {
  name: string;
  /** True when the answer comes from the store: measured once per backend of ours. */
  stored: boolean;
  /** The target for this case, if any (see lib/load-result.ts). */
  goal?: Goal;
};

/** Goal 3 of issue 13: server CPU per call at most this many times the Go reference's. */
const cpuGoal = (max: number): Goal => ({ metric: "cpu_ratio", max });
/** Goal 4 of issue 13: the stored APIs at least half the Go in-memory reference's req/s. */
const STORED_GOAL: Goal = { metric: "ratio", min: 0.5 };

const user = (name: string, call: string, data: object): BenchCase => ({
  name,
  kind: "grpc",
  proto: "user.proto",
  call: `user.UserService.${call}`,
  data,
  stored: true,
  goal: STORED_GOAL,
});

export const CASES: readonly BenchCase[] = [
  {
    name: "grpc_add",
    kind: "grpc",
    proto: "calc.proto",
    call: "calc.Calc.Add",
    data: { a: "1234567", b: "7654321" },
    stored: false,
    goal: cpuGoal(2.0),
  },
  {
    name: "grpc_nthprimes",
    kind: "grpc",
    proto: "calc.proto",
    call: "calc.Calc.NthPrimes",
    data: { n: ["1", "12", "1000", "10001"] },
    stored: false,
  },
  {
    name: "http_fibonacci",
    kind: "http",
    path: "/fibonacci/100/",
    stored: false,
    goal: cpuGoal(1.3),
  },
  user("grpc_user_list", "List", {}),
  user("grpc_user_get_by_email", "GetByEmail", { email: BENCH_QUERIES.email }),
  user("grpc_user_search_name", "SearchName", { query: BENCH_QUERIES.name }),
  user("grpc_user_search_age", "SearchAge", {
    ageRange: { from: BENCH_QUERIES.ageFrom, to_included: BENCH_QUERIES.ageTo },
  }),
  { name: "http_counter", kind: "http", path: "/getCounter", stored: true, goal: STORED_GOAL },
];

export interface LoadSettings {
  ghz: string;
  wrk: string;
  concurrency: number;
  /** gRPC connections ghz spreads its workers over. */
  connections: number;
  durationS: number;
  /** CPU list for `taskset -c` of the load tools, or undefined for no pinning. */
  loadCpus?: string;
}

export interface Target {
  grpcAddress: string;
  httpBase: string;
}

/** Runs a load tool, under `taskset -c <cpus>` when pinning. */
function runTool(s: LoadSettings, tool: string, args: string[], timeoutMs: number) {
  return s.loadCpus === undefined
    ? runToCompletion(tool, args, timeoutMs)
    : runToCompletion("taskset", ["-c", s.loadCpus, tool, ...args], timeoutMs);
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
      `--proto=${protoPath(c.proto)}`,
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
    const run = await runTool(s, s.ghz, args, (seconds + 30) * 1000);
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
  const run = await runTool(s, s.wrk, args, (seconds + 30) * 1000);
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
