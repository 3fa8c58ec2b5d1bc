/**
 * npm run -s bench:footprint [-- --quick] [--users N] [--load-seconds S]
 *                             [--backends embedded,postgres] [--variant="NODE ARGS NAME=VALUE"]...
 *
 * Memory of one tenant's service process, against the Go reference server (bench/reference,
 * in memory) measured in the same run under the same load. Per case, a FRESH start (empty
 * data directory, or a new PostgreSQL database), then `users` users created through
 * UserService/Create, then a minute of mixed traffic (footprint/load.ts):
 * - idle: RSS (and its anonymous part) a few seconds after the start, before any call: what a
 *   tenant nobody calls holds, the common case on a cluster of many tenants;
 * - peak: the kernel's high-water mark (VmHWM) over the whole life of the process;
 * - steady: the median RSS over the second half of the mixed traffic, and its two parts:
 *   anonymous memory (the process's own) and file pages (mostly the `node` binary's code and
 *   read-only data, which every process running the same binary shares);
 * - ours only, V8's heap at the end of the traffic, space by space (its /metrics): what V8 has
 *   committed; the steady anonymous memory beyond it is outside V8 (jemalloc's buffers, stacks);
 * - CPU per call: the process's CPU time over the mixed traffic, per call answered.
 * Ours runs as one Node process (dist/service/main.js, all services) with the image's memory
 * settings (Dockerfile: NODE_OPTIONS, jemalloc preloaded); PostgreSQL mode counts
 * our process only (the database is the shared server's cost). Prints ONE JSON document:
 * {"cases":[{"name","ours_peak_mib","ours_steady_mib","reference_mib","ratio"}], ...} with
 * ratio = ours_steady / reference; progress goes to stderr.
 * The runtime's floor (footprint/floor.ts), measured in the same run: Node.js with the image's
 * settings and the packages the service runs on loaded, idle; ours beyond it is ours.
 * Each `--variant` adds a case per backend with those node arguments before the entry point,
 * e.g. `--variant="--no-opt --no-maglev"` (with the `=`, as the value starts with a dash), and
 * its NAME=VALUE words set over the image's environment, e.g.
 * `--variant="MALLOC_CONF=narenas:1,background_thread:true,tcache:false"` (footprint/variant.ts):
 * what a V8 or jemalloc setting saves in memory and costs in CPU, against the image's settings
 * in the same run. With variants, the image's case runs first and again last ("<backend> again"):
 * the host's speed drifts over a run (the same settings measured 25 % more CPU a call ten
 * minutes later), and a variant is judged against both. Goals are judged on the first
 * image case only.
 */
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { createUsers, mixedLoad } from "./footprint/load.js";
import { FOOTPRINT_GOALS as GOALS, FOOTPRINT_LOAD } from "./footprint/goals.js";
import { measureRuntimeFloor, RUNTIME_MODULES } from "./footprint/floor.js";
import { readHeapSpaces } from "./footprint/heap-spaces.js";
import { type Variant, parseVariant } from "./footprint/variant.js";
import { imageMemoryEnv, imageNodeArgs } from "./lib/image-env.js";
import { machine } from "./lib/machine.js";
import { RssSampler, readRss } from "./footprint/rss.js";
import { treeCpuSeconds } from "./lib/proc-cpu.js";
import { ensureReference } from "./lib/tools.js";
import {
  type Backend,
  type RunningServer,
  ensureServiceBuilt,
  startOurs,
  startReference,
} from "./service/servers.js";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    users: { type: "string" },
    "load-seconds": { type: "string" },
    backends: { type: "string", default: "embedded,postgres" },
    variant: { type: "string", multiple: true, default: [] },
  },
});
const users = Number(flags.users ?? (flags.quick ? 2_000 : FOOTPRINT_LOAD.users));
const loadSeconds = Number(
  flags["load-seconds"] ?? (flags.quick ? 10 : FOOTPRINT_LOAD.loadSeconds),
);
const backends = flags.backends.split(",") as Backend[];
/** The cases per backend: the image's first, the variants, the image's again. */
const variants: Variant[] = (flags.variant.length === 0 ? [""] : ["", ...flags.variant, ""]).map(
  parseVariant,
);
if (!Number.isInteger(users) || users < 1 || !Number.isInteger(loadSeconds) || loadSeconds < 2) {
  console.error("bench:footprint: --users >= 1 and --load-seconds >= 2, whole numbers");
  process.exit(2);
}
if (backends.length === 0 || backends.some((b) => b !== "embedded" && b !== "postgres")) {
  console.error("bench:footprint: --backends takes embedded, postgres or both (comma-separated)");
  process.exit(2);
}
const log = (line: string): void => void process.stderr.write(`bench:footprint: ${line}\n`);
const mib = (value: number): number => Math.round(value * 10) / 10;
const sum = (values: Record<string, number>): number =>
  Object.values(values).reduce((total, value) => total + value, 0);
const mapValues = (values: Record<string, number>, map: (value: number) => number) =>
  Object.fromEntries(Object.entries(values).map(([key, value]) => [key, map(value)]));

// Bound the whole run; the process helpers kill every child when we exit.
setTimeout(
  () => {
    console.error("bench:footprint: exceeded its time bound; stopping");
    process.exit(1);
  },
  ((1 + backends.length * variants.length) * (loadSeconds + 300) + 300) * 1000,
).unref();

/** How long a fresh process is left alone before its idle RSS is read (start-up's last turns). */
const IDLE_SETTLE_MS = 3_000;

interface Measured {
  idleMib: number;
  idleAnonMib: number;
  peakMib: number;
  steadyMib: number;
  steadyAnonMib: number;
  steadyFileMib: number;
  calls: number;
  cpuUsPerCall: number;
  /** V8's committed heap by space at the end of the traffic (ours only). */
  heapMib?: Record<string, number>;
}

/** Samples `server` from its start through creating users and the mixed traffic. */
async function measure(server: RunningServer, label: string, readsHeap = false): Promise<Measured> {
  const sampler = new RssSampler(server.process.pid);
  try {
    await sleep(IDLE_SETTLE_MS);
    const idle = readRss(server.process.pid);
    log(`${label}: idle ${mib(idle.rssMib)} MiB; creating ${users} users`);
    await createUsers(server, users);
    log(`${label}: ${loadSeconds} s of mixed traffic`);
    const loadStart = sampler.samples.at(-1)?.atMs ?? 0;
    const cpuBefore = treeCpuSeconds(server.process.pid);
    const calls = await mixedLoad(server, users, loadSeconds);
    const cpuUsPerCall = ((treeCpuSeconds(server.process.pid) - cpuBefore) * 1e6) / calls;
    sampler.sample();
    const heapMib = readsHeap ? await readHeapSpaces(server.httpBase) : undefined;
    const steadyFrom = loadStart + (loadSeconds * 1000) / 2;
    const steadyMib = sampler.medianSince(steadyFrom);
    const peakMib = readRss(server.process.pid).hwmMib;
    log(`${label}: peak ${mib(peakMib)} MiB, steady ${mib(steadyMib)} MiB, ${calls} calls`);
    return {
      idleMib: idle.rssMib,
      idleAnonMib: idle.anonMib,
      peakMib,
      steadyMib,
      steadyAnonMib: sampler.medianSince(steadyFrom, "anonMib"),
      steadyFileMib: sampler.medianSince(steadyFrom, "fileMib"),
      calls,
      cpuUsPerCall,
      heapMib,
    };
  } finally {
    sampler.stop();
  }
}

async function measureOurs(backend: Backend, entry: string, variant: Variant): Promise<Measured> {
  const server = await startOurs({
    backend,
    entry,
    workers: 1,
    nodeArgs: variant.nodeArgs,
    env: variant.env,
  });
  try {
    return await measure(server, `ours (${caseName(backend, variant.words)})`, true);
  } finally {
    await server.stop();
  }
}

async function measureReference(binary: string): Promise<Measured> {
  const server = await startReference({ binary, cores: 1 });
  try {
    return await measure(server, "reference");
  } finally {
    await server.stop();
  }
}

const caseName = (backend: Backend, words: readonly string[]): string =>
  words.length === 0 ? backend : `${backend} ${words.join(" ")}`;

async function main(): Promise<void> {
  const entry = ensureServiceBuilt();
  const binary = ensureReference();
  const reference = await measureReference(binary);
  const floor = await measureRuntimeFloor(IDLE_SETTLE_MS);
  log(`runtime floor (Node.js + the service's packages, idle): ${mib(floor.rssMib)} MiB`);
  const cases = [];
  for (const backend of backends) {
    for (const [index, variant] of variants.entries()) {
      const ours = await measureOurs(backend, entry, variant);
      await sleep(1000);
      const goal: { peak?: number; steady: number } = GOALS[backend];
      const imageSettings = index === 0;
      const again = index > 0 && index === variants.length - 1;
      cases.push({
        name: again ? `${backend} again` : caseName(backend, variant.words),
        ours_peak_mib: mib(ours.peakMib),
        ours_steady_mib: mib(ours.steadyMib),
        reference_mib: mib(reference.steadyMib),
        ratio: Math.round((ours.steadyMib / reference.steadyMib) * 100) / 100,
        ours_steady_anon_mib: mib(ours.steadyAnonMib),
        ours_steady_file_mib: mib(ours.steadyFileMib),
        ours_v8_heap_mib: mapValues(ours.heapMib ?? {}, mib),
        ours_outside_v8_heap_anon_mib: mib(ours.steadyAnonMib - sum(ours.heapMib ?? {})),
        ours_idle_mib: mib(ours.idleMib),
        ours_idle_anon_mib: mib(ours.idleAnonMib),
        reference_peak_mib: mib(reference.peakMib),
        reference_idle_mib: mib(reference.idleMib),
        calls: ours.calls,
        cpu_us_per_call: Math.round(ours.cpuUsPerCall),
        reference_cpu_us_per_call: Math.round(reference.cpuUsPerCall),
        node_args: variant.nodeArgs,
        env: variant.env,
        goal_peak_mib: imageSettings ? (goal.peak ?? null) : null,
        goal_steady_mib: imageSettings ? goal.steady : null,
        goal_met: imageSettings
          ? ours.steadyMib <= goal.steady && (goal.peak === undefined || ours.peakMib <= goal.peak)
          : null,
      });
    }
  }
  console.log(
    JSON.stringify(
      {
        bench: "footprint",
        date: new Date().toISOString(),
        machine: machine(),
        ours_memory_env: imageMemoryEnv(),
        ours_node_args: imageNodeArgs(),
        users,
        load_seconds: loadSeconds,
        reference_calls: reference.calls,
        runtime_floor: {
          idle_mib: mib(floor.rssMib),
          idle_anon_mib: mib(floor.anonMib),
          idle_file_mib: mib(floor.fileMib),
          v8_heap_mib: mapValues(floor.heapMib, mib),
          outside_v8_heap_anon_mib: mib(floor.anonMib - sum(floor.heapMib)),
          modules: RUNTIME_MODULES,
        },
        cases,
      },
      null,
      2,
    ),
  );
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`bench:footprint: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
