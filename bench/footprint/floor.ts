/**
 * The runtime's floor: a Node.js process with the image's memory settings that loads the
 * packages the service runs on, and does nothing else. Its idle RSS is what any service built
 * on Node.js and these libraries holds before its own code, data and load; what ours holds
 * beyond it is ours. Measured in the same run as ours, so the two compare (bench/RESULTS.md).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { filePagesAddonPath } from "../../service/server/file-pages.js";
import { REPO } from "../lib/build.js";
import { imageNodeArgs, imageProcessEnv } from "../lib/image-env.js";
import { startProcess } from "../lib/processes.js";
import { type Rss, readRss } from "./rss.js";

/**
 * What dist/service/main.js imports from outside our code at start, on either backend (pg and
 * node:sqlite both, one per backend; not jose, which it loads only when authentication is on, as
 * the footprint's tenants run without, nor @grpc/proto-loader and @grpc/reflection, which it
 * loads at the first reflection call). floor.test.ts checks each package is still one the
 * service's code imports.
 */
export const RUNTIME_MODULES = [
  "@grpc/grpc-js",
  "pg",
  "pino",
  "prom-client",
  "protobufjs",
  "node:http",
  "node:http2",
  "node:sqlite",
] as const;

/**
 * The floor's ES module script: packages by `import()`, Node's own modules by
 * `process.getBuiltinModule()` as the service gets node:http (http-server.ts). An ES import of
 * node:http builds its namespace from every export, and three of them (WebSocket, CloseEvent,
 * MessageEvent) are getters that load Node's bundled undici, which the service never holds
 * (service/server/module-graph.int.test.ts) and an earlier floor did: 1.5 MiB of RSS beside
 * these packages, 13.5 in a process that loads nothing else.
 */
export function floorScript(): string {
  const loads = RUNTIME_MODULES.map((name) =>
    name.startsWith("node:")
      ? `process.getBuiltinModule(${JSON.stringify(name)})`
      : `import(${JSON.stringify(name)})`,
  );
  return `await Promise.all([${loads.join(", ")}]);`;
}

/** What the floor holds: its RSS, and V8's committed heap by space (MiB) as it was read. */
export interface Floor extends Rss {
  heapMib: Record<string, number>;
}

// Sent SIGUSR2, the floor prints its heap spaces on one line (the signal's handler allocates a
// little, after its RSS has been read).
const PRINT_HEAP_SPACES = `process.on("SIGUSR2", () => {
  const spaces = {};
  for (const s of process.getBuiltinModule("node:v8").getHeapSpaceStatistics()) {
    if (s.space_size > 0) spaces[s.space_name.replace(/_space$/, "")] = s.space_size / 2 ** 20;
  }
  console.log("heap " + JSON.stringify(spaces));
});`;

/**
 * Once loaded, the floor drops its file pages from its resident set as the service does once serving
 * (service/server/file-pages.ts, with the addon `npm run build` made), so that the two compare.
 */
const releaseFilePagesScript = (): string => `{
  const addon = { exports: {} };
  process.dlopen(addon, ${JSON.stringify(filePagesAddonPath())});
  addon.exports.releaseFilePages();
}`;

/** Starts the floor process, leaves it idle `settleMs`, reads its RSS and heap, and stops it. */
export async function measureRuntimeFloor(settleMs: number): Promise<Floor> {
  const script = `${floorScript()} ${PRINT_HEAP_SPACES} ${releaseFilePagesScript()} console.log("loaded"); setInterval(() => {}, 1 << 30);`;
  const args = [...imageNodeArgs(), "--input-type=module", "-e", script];
  const started = await startProcess(process.execPath, args, {
    env: imageProcessEnv(),
    cwd: REPO,
    readyLine: /^loaded$/m,
  });
  try {
    await sleep(settleMs);
    const rss = readRss(started.pid);
    process.kill(started.pid, "SIGUSR2");
    for (let waitedMs = 0; !/^heap /m.test(started.stdout()); waitedMs += 50) {
      if (waitedMs > 10_000) throw new Error("the floor process did not print its heap spaces");
      await sleep(50);
    }
    const heapMib = JSON.parse(/^heap (.*)$/m.exec(started.stdout())![1]!) as Record<
      string,
      number
    >;
    return { ...rss, heapMib };
  } finally {
    await started.stop();
  }
}
