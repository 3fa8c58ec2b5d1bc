/**
 * npm run -s bench:footprint [-- --quick] [--users N] [--load-seconds S]
 *
 * Memory of one tenant's service process, against the Go reference server (bench/reference,
 * in memory) measured in the same run under the same load. Per case, a FRESH start (empty
 * data directory, or a new PostgreSQL database), then `users` users created through
 * UserService/Create, then a minute of mixed traffic (footprint/load.ts):
 * - peak: the kernel's high-water mark (VmHWM) over the whole life of the process;
 * - steady: the median RSS over the second half of the mixed traffic.
 * Ours runs as one Node process (dist/service/main.js, all services) with the image's memory
 * settings (Dockerfile: NODE_OPTIONS, jemalloc preloaded); PostgreSQL mode counts
 * our process only (the database is the shared server's cost). Prints ONE JSON document:
 * {"cases":[{"name","ours_peak_mib","ours_steady_mib","reference_mib","ratio"}], ...} with
 * ratio = ours_steady / reference; progress goes to stderr.
 */
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { createUsers, mixedLoad } from "./footprint/load.js";
import { FOOTPRINT_GOALS as GOALS, FOOTPRINT_LOAD } from "./footprint/goals.js";
import { startOursAsImage } from "./footprint/ours.js";
import { imageMemoryEnv } from "./lib/image-env.js";
import { RssSampler, readRss } from "./footprint/rss.js";
import { ensureReference } from "./lib/tools.js";
import {
  type Backend,
  type RunningServer,
  ensureServiceBuilt,
  startReference,
} from "./service/servers.js";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    users: { type: "string" },
    "load-seconds": { type: "string" },
  },
});
const users = Number(flags.users ?? (flags.quick ? 2_000 : FOOTPRINT_LOAD.users));
const loadSeconds = Number(
  flags["load-seconds"] ?? (flags.quick ? 10 : FOOTPRINT_LOAD.loadSeconds),
);
if (!Number.isInteger(users) || users < 1 || !Number.isInteger(loadSeconds) || loadSeconds < 2) {
  console.error("bench:footprint: --users >= 1 and --load-seconds >= 2, whole numbers");
  process.exit(2);
}
const log = (line: string): void => void process.stderr.write(`bench:footprint: ${line}\n`);
const mib = (value: number): number => Math.round(value * 10) / 10;

// Bound the whole run; the process helpers kill every child when we exit.
setTimeout(
  () => {
    console.error("bench:footprint: exceeded its time bound; stopping");
    process.exit(1);
  },
  (3 * (loadSeconds + 300) + 300) * 1000,
).unref();

interface Measured {
  peakMib: number;
  steadyMib: number;
  calls: number;
}

/** Samples `server` from its start through creating users and the mixed traffic. */
async function measure(server: RunningServer, label: string): Promise<Measured> {
  const sampler = new RssSampler(server.process.pid);
  try {
    log(`${label}: creating ${users} users`);
    await createUsers(server, users);
    log(`${label}: ${loadSeconds} s of mixed traffic`);
    const loadStart = sampler.samples.at(-1)?.atMs ?? 0;
    const calls = await mixedLoad(server, users, loadSeconds);
    sampler.sample();
    const steadyMib = sampler.medianSince(loadStart + (loadSeconds * 1000) / 2);
    const peakMib = readRss(server.process.pid).hwmMib;
    log(`${label}: peak ${mib(peakMib)} MiB, steady ${mib(steadyMib)} MiB, ${calls} calls`);
    return { peakMib, steadyMib, calls };
  } finally {
    sampler.stop();
  }
}

async function measureOurs(backend: Backend, entry: string): Promise<Measured> {
  const server = await startOursAsImage(backend, entry);
  try {
    return await measure(server, `ours (${backend})`);
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

async function main(): Promise<void> {
  const entry = ensureServiceBuilt();
  const binary = ensureReference();
  const reference = await measureReference(binary);
  const cases = [];
  for (const backend of ["embedded", "postgres"] as const) {
    const ours = await measureOurs(backend, entry);
    await sleep(1000);
    const goal: { peak?: number; steady: number } = GOALS[backend];
    cases.push({
      name: backend,
      ours_peak_mib: mib(ours.peakMib),
      ours_steady_mib: mib(ours.steadyMib),
      reference_mib: mib(reference.steadyMib),
      ratio: Math.round((ours.steadyMib / reference.steadyMib) * 100) / 100,
      reference_peak_mib: mib(reference.peakMib),
      calls: ours.calls,
      goal_peak_mib: goal.peak ?? null,
      goal_steady_mib: goal.steady,
      goal_met:
        ours.steadyMib <= goal.steady && (goal.peak === undefined || ours.peakMib <= goal.peak),
    });
  }
  console.log(
    JSON.stringify(
      {
        bench: "footprint",
        date: new Date().toISOString(),
        machine: {
          cpus: cpus().length,
          model: cpus()[0]?.model,
          mem_gib: Math.round(totalmem() / 2 ** 30),
          loadavg: loadavg().map((l) => Math.round(l * 10) / 10),
          node: process.version,
        },
        ours_memory_env: imageMemoryEnv(),
        users,
        load_seconds: loadSeconds,
        reference_calls: reference.calls,
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
