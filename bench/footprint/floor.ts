/**
 * The runtime's floor: a Node.js process with the image's memory settings that loads the
 * packages the service runs on, and does nothing else. Its idle RSS is what any service built
 * on Node.js and these libraries holds before its own code, data and load; what ours holds
 * beyond it is ours. Measured in the same run as ours, so the two compare (bench/RESULTS.md).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { REPO } from "../lib/build.js";
import { imageProcessEnv } from "../lib/image-env.js";
import { startProcess } from "../lib/processes.js";
import { type Rss, readRss } from "./rss.js";

/**
 * What dist/service/main.js imports from outside our code at start, on either backend (pg and
 * node:sqlite both: the store modules load with the service). floor.test.ts checks each package
 * is still one the service's code imports.
 */
export const RUNTIME_MODULES = [
  "@grpc/grpc-js",
  "@grpc/proto-loader",
  "@grpc/reflection",
  "grpc-health-check",
  "jose",
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
 * (service/server/bundled-undici.int.test.ts) and an earlier floor did: 1.5 MiB of RSS beside
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

/** Starts the floor process, leaves it idle `settleMs`, reads its RSS and stops it. */
export async function measureRuntimeFloor(settleMs: number): Promise<Rss> {
  const script = `${floorScript()} console.log("loaded"); setInterval(() => {}, 1 << 30);`;
  const started = await startProcess(process.execPath, ["--input-type=module", "-e", script], {
    env: imageProcessEnv(),
    cwd: REPO,
    readyLine: /^loaded$/m,
  });
  try {
    await sleep(settleMs);
    return readRss(started.pid);
  } finally {
    await started.stop();
  }
}
