/**
 * npm run bench:service [-- --quick] [--duration S] [--concurrency C] [--workers N]
 *
 * The compute service against the Go reference (bench/reference), case by case, one after the
 * other in the same run with the same load tool, concurrency and duration: ghz for gRPC, wrk
 * for HTTP. Prints ONE JSON document on stdout and a short table on stderr. Loopback only;
 * every tool run has a deadline and the whole run has one too.
 */
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import {
  type CaseResult,
  caseResult,
  formatCaseTable,
  type LoadResult,
} from "./lib/load-result.js";
import { ensureGhz, ensureReference, ensureWrk, GHZ_VERSION, goVersion } from "./lib/tools.js";
import { treeCpuSeconds } from "./lib/proc-cpu.js";
import { CASES, type LoadSettings, runLoad } from "./service/load.js";
import { checkServer } from "./service/sanity.js";
import {
  ensureServiceBuilt,
  type RunningServer,
  startOurs,
  startReference,
} from "./service/servers.js";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    duration: { type: "string" },
    warmup: { type: "string" },
    concurrency: { type: "string", default: "50" },
    connections: { type: "string", default: "10" },
    workers: { type: "string", default: String(Math.max(1, cpus().length)) },
  },
});

const positive = (name: string, raw: string | undefined, fallback: number): number => {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`bench:service: --${name} must be a whole number >= 1, got ${raw}`);
    process.exit(2);
  }
  return value;
};

const durationS = positive("duration", flags.duration, flags.quick ? 3 : 15);
const warmupS = positive("warmup", flags.warmup, flags.quick ? 1 : 3);
const concurrency = positive("concurrency", flags.concurrency, 50);
const connections = positive("connections", flags.connections, 10);
const workers = positive("workers", flags.workers, 2);
const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

// The whole run's bound: measured time plus generous start-up; then everything is killed.
const budgetS = CASES.length * 2 * (durationS + warmupS + 20) + 120;
setTimeout(() => {
  console.error(`bench:service: exceeded its ${budgetS} s bound; stopping`);
  process.exit(1);
}, budgetS * 1000).unref();

/** Warm-up, then the measured run, with the server's CPU time per request. */
async function measure(
  settings: LoadSettings,
  server: RunningServer,
  c: (typeof CASES)[number],
): Promise<LoadResult> {
  await runLoad(settings, server, c, warmupS);
  const cpuBefore = treeCpuSeconds(server.process.pid);
  const result = await runLoad(settings, server, c, durationS);
  const cpuSeconds = treeCpuSeconds(server.process.pid) - cpuBefore;
  const perRequest = result.requests > 0 ? (cpuSeconds * 1e6) / result.requests : Number.NaN;
  return { ...result, cpu_us_per_req: Math.round(perRequest) };
}

async function main(): Promise<void> {
  const settings: LoadSettings = {
    ghz: ensureGhz(),
    wrk: ensureWrk(),
    concurrency,
    connections,
    durationS,
  };
  const referenceBinary = ensureReference();
  const entry = ensureServiceBuilt();
  const started = Date.now();
  const reference = await startReference(referenceBinary);
  const ours = await startOurs({ workers, entry }).catch(async (error: unknown) => {
    await reference.stop();
    throw error;
  });
  const cases: (CaseResult | { name: string; error: string })[] = [];
  try {
    const [oursCheck, referenceCheck] = [
      await checkServer(ours.grpcAddress, ours.httpBase),
      await checkServer(reference.grpcAddress, reference.httpBase),
    ];
    for (const c of CASES) {
      const broken = oursCheck[c.name] ?? referenceCheck[c.name];
      if (broken) {
        const who = oursCheck[c.name] ? "ours" : "reference";
        log(`${c.name}: skipped, ${who} answers wrongly: ${broken}`);
        cases.push({ name: c.name, error: `${who}: ${broken}` });
        continue;
      }
      log(`${c.name}: ours (${warmupS} s warm-up + ${durationS} s)`);
      const oursResult = await measure(settings, ours, c);
      log(`${c.name}: reference (${warmupS} s warm-up + ${durationS} s)`);
      const referenceResult = await measure(settings, reference, c);
      cases.push(caseResult(c.name, oursResult, referenceResult));
    }
  } finally {
    await ours.stop();
    await reference.stop();
  }
  const measured = cases.filter((c): c is CaseResult => "ratio" in c);
  process.stderr.write(`\n${formatCaseTable(measured)}\n`);
  const document = {
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? "unknown",
      memory_gib: Math.round(totalmem() / 2 ** 30),
      loadavg_at_start: loadavg().map((n) => Math.round(n * 100) / 100),
      node: process.version,
      go: goVersion(),
      date: new Date().toISOString(),
    },
    mode: {
      ours: `node:cluster launcher (bench/service/cluster-launcher.ts), ${workers} worker processes running dist/service/main.js, sharing both ports (primary accepts, round-robin per connection), NODE_ENV=production, LOG_LEVEL=info`,
      ours_counter:
        "durable and unique: real PostgreSQL (Debian, throw-away on loopback) via DATABASE_URL, block allocator COUNTER_BLOCK_SIZE=100 (the service default)",
      reference:
        "Go net/http + google.golang.org/grpc, one process, GOMAXPROCS = all cores, in-memory counter",
      load: `ghz ${GHZ_VERSION} (--cpus=1, ${connections} connections) for gRPC; wrk -t1 for HTTP; concurrency ${concurrency}; ${warmupS} s warm-up then ${durationS} s measured per server and case; ours first, then the reference`,
      quick: flags.quick,
      seconds: Math.round((Date.now() - started) / 1000),
    },
    cases,
  };
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:service: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
