/**
 * npm run -s bench:gc [-- --seconds S] [--no-pin]
 *
 * Where the garbage collection of a unary gRPC call goes (RESULTS.md, "Where Add's GC goes").
 * Three servers, one after another in the same run, each under the same ghz load (calc.Calc/Add,
 * bench:service's 50 streams over 10 connections) and with the image's memory flags, each
 * traced with V8's --trace-gc-nvp over the measured window only:
 * - node_http2: a bare node:http2 server writing a fixed answer (gc/bare-server.mjs), Node's floor;
 * - node_http2_closed_cleared: the same, clearing each closed stream's own fields a turn after
 *   its close (a diagnostic): what it no longer promotes is what closed streams keep alive;
 * - node_http2_stream_registries: the same with the service's stream registries
 *   (service/server/stream-registries.ts): what Node's Map and Set of streams kept alive;
 * - ours: dist/service/main.js on the embedded store.
 * Also says whether this Node still creates a Writable's write callback in old space
 * (`writable_callback_in_old_space`), the reason closed streams outlive scavenges.
 * Prints ONE JSON document {"cases":[{"name","calls","cpu_us_per_call","allocated_bytes_per_call",
 * "promoted_bytes_per_call","scavenge_ms_per_1k_calls","mark_compacts_per_10k_calls",
 * "gc_pause_ms_per_1k_calls"}], ...}; progress goes to stderr.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync } from "node:fs";
import { execFileSync, spawn } from "node:child_process";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { coreSplit } from "./lib/cores.js";
import { imageMemoryEnv, imageNodeArgs } from "./lib/image-env.js";
import { freePort, tcpOpen } from "./lib/processes.js";
import { treeCpuSeconds } from "./lib/proc-cpu.js";
import { GHZ_VERSION, ensureGhz } from "./lib/tools.js";
import { CASES, runLoad, type LoadSettings } from "./service/load.js";
import { ensureServiceBuilt, pinned } from "./service/servers.js";
import { summarizeGcTrace } from "./gc/trace.js";

const { values: flags } = parseArgs({
  options: {
    seconds: { type: "string", default: "6" },
    pin: { type: "boolean", default: true },
  },
});
const seconds = Number(flags.seconds);
if (!Number.isInteger(seconds) || seconds < 2) {
  console.error("bench:gc: --seconds must be a whole number >= 2");
  process.exit(2);
}
const log = (line: string): void => void process.stderr.write(`bench:gc: ${line}\n`);
const { serverCpus, loadCpus } = coreSplit(flags.pin);
const BARE = fileURLToPath(new URL("./gc/bare-server.mjs", import.meta.url));
const ADD = CASES.find((c) => c.name === "grpc_add")!;

interface Contestant {
  name: string;
  script: string;
  env: Record<string, string>;
}

async function measure(contestant: Contestant, settings: LoadSettings) {
  const dir = mkdtempSync(join(tmpdir(), "bench-gc-"));
  const trace = join(dir, "trace.log");
  const out = openSync(trace, "w");
  const port = await freePort();
  const { NODE_OPTIONS = "", ...memoryEnv } = imageMemoryEnv();
  const nodeArgs = [
    ...NODE_OPTIONS.split(" ").filter(Boolean),
    ...imageNodeArgs(),
    "--trace-gc-nvp",
    contestant.script,
  ];
  const [command, args] = pinned(serverCpus, process.execPath, nodeArgs);
  const child = spawn(command, args, {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: "production",
      ...memoryEnv,
      HOST: "127.0.0.1",
      GRPC_PORT: String(port),
      HTTP_PORT: String(await freePort()),
      DATA_DIR: join(dir, "data"),
      LOG_LEVEL: "warn",
      ...contestant.env,
    },
    stdio: ["ignore", out, out],
  });
  try {
    for (let i = 0; !(await tcpOpen(port)); i++) {
      if (i > 300 || child.exitCode !== null) throw new Error(`${contestant.name} did not start`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const target = { grpcAddress: `127.0.0.1:${port}`, httpBase: "" };
    log(`${contestant.name}: 2 s warm-up, ${seconds} s measured`);
    await runLoad(settings, target, ADD, 2);
    const from = statSync(trace).size;
    const cpuBefore = treeCpuSeconds(child.pid!);
    const load = await runLoad(settings, target, ADD, seconds);
    const cpu = treeCpuSeconds(child.pid!) - cpuBefore;
    const gc = summarizeGcTrace(readFileSync(trace, "utf8").slice(from));
    const per = (value: number, calls: number): number => Math.round((value / calls) * 10) / 10;
    return {
      name: contestant.name,
      calls: load.requests,
      errors: load.errors,
      cpu_us_per_call: Math.round((cpu * 1e6) / load.requests),
      allocated_bytes_per_call: Math.round(gc.allocatedBytes / load.requests),
      promoted_bytes_per_call: Math.round(gc.promotedBytes / load.requests),
      survived_bytes_per_call: Math.round(gc.survivedBytes / load.requests),
      scavenge_ms_per_1k_calls: per(gc.scavengeMs * 1000, load.requests),
      mark_compacts_per_10k_calls: per(gc.markCompacts * 10_000, load.requests),
      gc_pause_ms_per_1k_calls: per(gc.pauseMs * 1000, load.requests),
    };
  } finally {
    child.kill("SIGKILL");
    closeSync(out);
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Whether this Node's Writable state still allocates its write callback in old space (the
 * cause of closed streams outliving scavenges; RESULTS.md): asked of V8 in a child process.
 */
function writableCallbackInOldSpace(): boolean {
  const probe =
    "const { Writable } = require('node:stream');" +
    "const w = new Writable({ write(c, e, cb) { cb(); } });" +
    "console.log(String(!%InYoungGeneration(w._writableState.onwrite) && %InYoungGeneration(w)));";
  const out = execFileSync(process.execPath, ["--allow-natives-syntax", "-e", probe], {
    encoding: "utf8",
  });
  return out.trim() === "true";
}

async function main(): Promise<void> {
  const entry = ensureServiceBuilt();
  const settings: LoadSettings = {
    ghz: ensureGhz(),
    wrk: "",
    concurrency: 50,
    connections: 10,
    durationS: seconds,
    ...(loadCpus !== undefined && { loadCpus }),
  };
  const contestants: Contestant[] = [
    { name: "node_http2", script: BARE, env: {} },
    { name: "node_http2_closed_cleared", script: BARE, env: { CLEAR_CLOSED: "1" } },
    { name: "node_http2_stream_registries", script: BARE, env: { STREAM_REGISTRIES: "1" } },
    { name: "ours", script: entry, env: {} },
  ];
  const cases = [];
  for (const c of contestants) cases.push(await measure(c, settings));
  console.log(
    JSON.stringify(
      {
        bench: "gc",
        date: new Date().toISOString(),
        machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
        loadavg_at_end: loadavg().map((l) => Math.round(l * 10) / 10),
        load: `ghz ${GHZ_VERSION} calc.Calc/Add, 50 streams over 10 connections, ${seconds} s measured after 2 s of warm-up${serverCpus !== undefined ? `, server on core ${serverCpus}, ghz on ${loadCpus}` : ""}`,
        server_flags: { ...imageMemoryEnv(), node_args: imageNodeArgs() },
        writable_callback_in_old_space: writableCallbackInOldSpace(),
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
    console.error(`bench:gc: ${error instanceof Error ? error.stack : String(error)}`);
    process.exit(1);
  },
);
