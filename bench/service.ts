/**
 * npm run bench:service [-- --quick] [--duration S] [--warmup S] [--rounds R]
 *                       [--concurrency C] [--connections N] [--backends embedded,postgres]
 *                       [--cases a,b] [--workers N] [--no-pin] [--variant="NODE ARGS NAME=VALUE"]
 *
 * The compute service against the Go reference (bench/reference), case by case, one after the
 * other in the same run with the same load tool, concurrency and duration: ghz for gRPC, wrk
 * for HTTP. Each side is held to one core: ours is one Node process, the reference runs with
 * GOMAXPROCS=1, and both are pinned with `taskset -c` to the same single core while the load
 * tools are pinned to the others. The stored cases (user directory, counter) run once per
 * backend of ours. Each case runs in `rounds` rounds of (ours, then the reference), the
 * measured time split between them, and reports the round with the median ratio of its goal
 * (every round's ratios are in the JSON): the host is shared, and a slow spell during one half
 * of a single long pair would skew that case. Prints ONE JSON document on stdout and a short
 * table on stderr. Loopback only; every tool run has a deadline and the whole run has one too.
 *
 * `--variant` (words as in bench:footprint's, footprint/variant.ts: Node arguments, and NAME=VALUE
 * variables over the image's) starts a second process of ours with them beside the first and
 * measures it in every round between ours and the reference: each case then also reports
 * `variant` (its median round against the reference) and `variant_over_ours_cpu`, so the CPU a
 * setting costs is read in one run, not across two runs minutes apart on a shared host.
 */
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import {
  type CaseResult,
  caseResult,
  formatCaseTable,
  type LoadResult,
  medianRound,
} from "./lib/load-result.js";
import { coreSplit } from "./lib/cores.js";
import { ensureGhz, ensureReference, ensureWrk, GHZ_VERSION, goVersion } from "./lib/tools.js";
import { treeCpuSeconds } from "./lib/proc-cpu.js";
import { type BenchCase, CASES, type LoadSettings, runLoad } from "./service/load.js";
import { parseVariant } from "./footprint/variant.js";
import { checkServer } from "./service/sanity.js";
import { seedUsers } from "./service/seed.js";
import {
  type Backend,
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
    workers: { type: "string", default: "1" },
    rounds: { type: "string" },
    backends: { type: "string", default: "embedded,postgres" },
    cases: { type: "string" },
    pin: { type: "boolean", default: true },
    variant: { type: "string" },
  },
  allowNegative: true,
});

const positive = (name: string, raw: string | undefined, fallback: number): number => {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`bench:service: --${name} must be a whole number >= 1, got ${raw}`);
    process.exit(2);
  }
  return value;
};

const durationS = positive("duration", flags.duration, flags.quick ? 3 : 10);
const warmupS = positive("warmup", flags.warmup, flags.quick ? 1 : 3);
const concurrency = positive("concurrency", flags.concurrency, 50);
const connections = positive("connections", flags.connections, 10);
const workers = positive("workers", flags.workers, 1);
const rounds = positive("rounds", flags.rounds, flags.quick ? 1 : 3);
/** Measured seconds per round, and the warm-up before each (a full one before the first). */
const roundS = Math.max(2, Math.ceil(durationS / rounds));
const rewarmS = Math.min(warmupS, 1);
const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

const backends = flags.backends.split(",").map((b) => b.trim());
for (const backend of backends) {
  if (backend !== "embedded" && backend !== "postgres") {
    console.error(`bench:service: --backends takes embedded and/or postgres, got ${backend}`);
    process.exit(2);
  }
}
const wanted = flags.cases?.split(",").map((c) => c.trim());
const unknownCase = wanted?.find((name) => !CASES.some((c) => c.name === name));
if (unknownCase) {
  console.error(
    `bench:service: no case ${unknownCase}; cases: ${CASES.map((c) => c.name).join(", ")}`,
  );
  process.exit(2);
}
const selected = CASES.filter((c) => !wanted || wanted.includes(c.name));
const variant = flags.variant === undefined ? undefined : parseVariant(flags.variant);
if (variant && workers > 1) {
  console.error("bench:service: --variant needs --workers 1");
  process.exit(2);
}

/**
 * One core for each server (the same one for both: the last), the others for the load tools.
 * With several workers, or one CPU, or --no-pin, nothing is pinned.
 */
const { serverCpus, loadCpus } = coreSplit(flags.pin && workers === 1);
const pin = serverCpus !== undefined;

/** Rows measured: compute cases once, stored cases once per backend. */
const rows = selected.reduce((n, c) => n + (c.stored ? backends.length : 1), 0);
// The whole run's bound: measured time plus generous start-up; then everything is killed.
const sides = variant ? 3 : 2;
const budgetS =
  rows * sides * (rounds * (roundS + warmupS + 20)) + backends.length * 180 * (sides - 1) + 120;
setTimeout(() => {
  console.error(`bench:service: exceeded its ${budgetS} s bound; stopping`);
  process.exit(1);
}, budgetS * 1000).unref();

/** Warm-up, then the measured run, with the server's CPU time per request. */
async function measure(
  settings: LoadSettings,
  server: RunningServer,
  c: (typeof CASES)[number],
  warmS: number,
): Promise<LoadResult> {
  await runLoad(settings, server, c, warmS);
  const databasePid = server.databasePid?.();
  const cpuBefore = treeCpuSeconds(server.process.pid);
  const databaseBefore = databasePid === undefined ? 0 : treeCpuSeconds(databasePid);
  const result = await runLoad(settings, server, c, roundS);
  const cpuSeconds = treeCpuSeconds(server.process.pid) - cpuBefore;
  const perRequest = (seconds: number): number =>
    Math.round(result.requests > 0 ? (seconds * 1e6) / result.requests : Number.NaN);
  return {
    ...result,
    cpu_us_per_req: perRequest(cpuSeconds),
    ...(databasePid !== undefined && {
      database_cpu_us_per_req: perRequest(treeCpuSeconds(databasePid) - databaseBefore),
    }),
  };
}

type Row = CaseResult | { name: string; backend?: string; error: string };

/**
 * Seeds and checks ours (and the variant's process), then measures each case on ours, the
 * variant and right after on the reference.
 */
async function runBackend(
  settings: LoadSettings,
  ours: RunningServer,
  variantServer: RunningServer | undefined,
  reference: RunningServer,
  referenceCheck: Record<string, string | undefined>,
  cases: readonly BenchCase[],
  backend: Backend,
): Promise<Row[]> {
  await seedUsers(ours.grpcAddress);
  const oursCheck = await checkServer(ours.grpcAddress, ours.httpBase);
  if (variantServer) {
    await seedUsers(variantServer.grpcAddress);
    Object.assign(oursCheck, await checkServer(variantServer.grpcAddress, variantServer.httpBase));
  }
  const results: Row[] = [];
  for (const c of cases) {
    const label = c.stored ? `${c.name}/${backend}` : c.name;
    const tag = c.stored ? { backend } : {};
    const broken = oursCheck[c.name] ?? referenceCheck[c.name];
    if (broken) {
      const who = oursCheck[c.name] ? "ours" : "reference";
      log(`${label}: skipped, ${who} answers wrongly: ${broken}`);
      results.push({ name: c.name, ...tag, error: `${who}: ${broken}` });
      continue;
    }
    const pairs: CaseResult[] = [];
    const variantPairs: CaseResult[] = [];
    for (let round = 1; round <= rounds; round++) {
      const warmS = round === 1 ? warmupS : rewarmS;
      const order = variantServer ? "ours, the variant, then reference" : "ours then reference";
      log(`${label}: round ${round}/${rounds}, ${order} (${warmS} s + ${roundS} s each)`);
      const oursResult = await measure(settings, ours, c, warmS);
      const variantResult = variantServer && (await measure(settings, variantServer, c, warmS));
      const referenceResult = await measure(settings, reference, c, warmS);
      pairs.push(caseResult(c.name, oursResult, referenceResult, { ...tag, goal: c.goal }));
      if (variantResult) {
        variantPairs.push(caseResult(c.name, variantResult, referenceResult, { goal: c.goal }));
      }
    }
    const row = medianRound(pairs);
    results.push(variant ? { ...row, ...variantFigures(variant.words, pairs, variantPairs) } : row);
  }
  return results;
}

/**
 * The variant's median round against the reference, and its CPU a call over ours' (the median
 * of the rounds' quotients: each round measured the two processes one after the other).
 */
function variantFigures(
  words: readonly string[],
  pairs: readonly CaseResult[],
  variantPairs: readonly CaseResult[],
): { variant: object; variant_over_ours_cpu: number } {
  const quotients = pairs
    .map(
      (pair, i) =>
        (variantPairs[i]!.ours.cpu_us_per_req ?? NaN) / (pair.ours.cpu_us_per_req ?? NaN),
    )
    .sort((a, b) => a - b);
  const middle = quotients[Math.floor((quotients.length - 1) / 2)]!;
  const { name: _name, ...figures } = medianRound(variantPairs);
  return {
    variant: { words, ...figures },
    variant_over_ours_cpu: Math.round(middle * 100) / 100,
  };
}

async function main(): Promise<void> {
  const settings: LoadSettings = {
    ghz: ensureGhz(),
    wrk: ensureWrk(),
    concurrency,
    connections,
    durationS,
    ...(loadCpus !== undefined && { loadCpus }),
  };
  const referenceBinary = ensureReference();
  const entry = ensureServiceBuilt();
  const started = Date.now();
  const loadAtStart = loadavg().map((n) => Math.round(n * 100) / 100);
  const reference = await startReference({
    binary: referenceBinary,
    cores: workers,
    ...(serverCpus !== undefined && { cpus: serverCpus }),
  });
  const cases: Row[] = [];
  try {
    await seedUsers(reference.grpcAddress);
    const referenceCheck = await checkServer(reference.grpcAddress, reference.httpBase);
    for (const [index, backend] of (backends as Backend[]).entries()) {
      // The compute cases do not touch the store: measured once, on the first backend.
      const backendCases = selected.filter((c) => c.stored || index === 0);
      if (backendCases.length === 0) continue;
      log(`starting ours on the ${backend} store`);
      const ours = await startOurs({
        backend,
        entry,
        workers,
        ...(serverCpus !== undefined && { cpus: serverCpus }),
      });
      let variantServer: RunningServer | undefined;
      try {
        if (variant) {
          log(`starting ours with ${variant.words.join(" ")} on the ${backend} store`);
          variantServer = await startOurs({
            backend,
            entry,
            workers,
            nodeArgs: variant.nodeArgs,
            env: variant.env,
            ...(serverCpus !== undefined && { cpus: serverCpus }),
          });
        }
        cases.push(
          ...(await runBackend(
            settings,
            ours,
            variantServer,
            reference,
            referenceCheck,
            backendCases,
            backend,
          )),
        );
      } finally {
        await variantServer?.stop();
        await ours.stop();
      }
    }
  } finally {
    await reference.stop();
  }
  const measured = cases.filter((c): c is CaseResult => "ratio" in c);
  process.stderr.write(`\n${formatCaseTable(measured)}\n`);
  const pinning = pin
    ? `both servers pinned with taskset -c ${serverCpus} (the same single core), the load tools with taskset -c ${loadCpus}`
    : "not pinned";
  const document = {
    machine: {
      cpus: cpus().length,
      cpu_model: cpus()[0]?.model ?? "unknown",
      memory_gib: Math.round(totalmem() / 2 ** 30),
      loadavg_at_start: loadAtStart,
      node: process.version,
      go: goVersion(),
      date: new Date().toISOString(),
    },
    mode: {
      ours:
        workers === 1
          ? "one Node process running dist/service/main.js, NODE_ENV=production, LOG_LEVEL=info"
          : `node:cluster launcher (bench/service/cluster-launcher.ts), ${workers} worker processes running dist/service/main.js`,
      ours_stores: Object.fromEntries(
        backends.map((b) => [
          b,
          b === "embedded"
            ? "the default embedded store in a fresh DATA_DIR"
            : "a real PostgreSQL (Debian, throw-away on loopback, not pinned) via DATABASE_URL; its CPU is reported apart as database_cpu_us_per_req",
        ]),
      ),
      reference: `Go net/http + google.golang.org/grpc, one process, GOMAXPROCS=${workers}, users and counter in memory`,
      pinning,
      data: "the 30 sample users (service/users/sample.ts), created through UserService/Create on both servers before any load",
      load: `ghz ${GHZ_VERSION} (--cpus=1, ${connections} connections) for gRPC; wrk -t1 for HTTP; concurrency ${concurrency}; per case ${rounds} round(s) of ours then the reference, each ${roundS} s measured after a warm-up (${warmupS} s in the first round, ${rewarmS} s after); the round with the median ratio of the case's goal is reported, every round's ratios under "rounds"`,
      rounds,
      ...(variant && {
        variant: `a second process of ours with ${variant.words.join(" ")}, measured in every round right after ours`,
      }),
      quick: flags.quick,
      seconds: Math.round((Date.now() - started) / 1000),
    },
    goals: {
      cpu_ratio:
        "issue 13 goal 3: server CPU per call, ours / reference, at most 2.0 for grpc_add and 1.3 for http_fibonacci",
      ratio:
        "issue 13 goal 4: req/s, ours / the Go in-memory reference, at least 0.5 for each stored case on each backend",
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
