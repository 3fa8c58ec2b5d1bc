/**
 * The memory settings the image runs the service with (the runtime stage's NODE_OPTIONS, and
 * jemalloc through LD_PRELOAD and MALLOC_CONF, and the Node arguments its CMD puts before the
 * entry point: V8 flags that NODE_OPTIONS refuses), read from the Dockerfile so that the
 * benches run ours exactly as a tenant pod does and cannot drift from it.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./build.js";

const MEMORY_VARIABLES = ["NODE_OPTIONS", "LD_PRELOAD", "MALLOC_CONF"];

/** The memory-related ENV of the Dockerfile's runtime stage, e.g. {NODE_OPTIONS: "..."}. */
export function imageMemoryEnv(dockerfile = readDockerfile()) {
  const env: Record<string, string> = {};
  const runtime = runtimeStage(dockerfile);
  for (const line of runtime.split("\n").filter((l) => l.startsWith("ENV "))) {
    for (const match of line.matchAll(/(\w+)=("[^"]*"|\S+)/g)) {
      const [name, raw] = [match[1]!, match[2]!];
      if (MEMORY_VARIABLES.includes(name)) env[name] = raw.replace(/^"|"$/g, "");
    }
  }
  assertPreloadable(env);
  return env;
}

/** The runtime stage's CMD words before the service's entry point, e.g. ["--memory-saver-mode"]. */
export function imageNodeArgs(dockerfile = readDockerfile()): string[] {
  const cmd = runtimeStage(dockerfile)
    .split("\n")
    .findLast((line) => line.startsWith("CMD "));
  let words: unknown;
  try {
    words = JSON.parse(cmd?.slice(4) ?? "null");
  } catch {
    words = undefined; // the shell form: not ours to split
  }
  if (!Array.isArray(words) || words.at(-1) !== SERVICE_ENTRY) {
    throw new Error(`the Dockerfile's runtime CMD must be a JSON array ending in ${SERVICE_ENTRY}`);
  }
  return words.slice(0, -1) as string[];
}

const SERVICE_ENTRY = "dist/service/main.js";

const readDockerfile = (): string => readFileSync(join(REPO, "Dockerfile"), "utf8");

/** The last stage, its continued lines joined. */
function runtimeStage(dockerfile: string): string {
  const joined = dockerfile.replace(/\\\n\s*/g, " ");
  return joined.slice(Math.max(0, joined.lastIndexOf("\nFROM ")));
}

/**
 * The environment a bench starts a Node process of ours in, as the image's runtime stage runs
 * it: production mode and the memory settings above; callers add the service's own variables.
 */
export function imageProcessEnv(): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: "production",
    ...imageMemoryEnv(),
  };
}

/**
 * A library named in LD_PRELOAD that this machine lacks is skipped by the dynamic loader with a
 * mere warning, and the bench would measure glibc's malloc as if it were the image's: refuse.
 */
function assertPreloadable(env: Record<string, string>): void {
  if (!env.LD_PRELOAD || preloadable.has(env.LD_PRELOAD)) return;
  const probe = spawnSync(process.execPath, ["-e", "0"], {
    env: { PATH: process.env.PATH, LD_PRELOAD: env.LD_PRELOAD },
    encoding: "utf8",
  });
  if (probe.status !== 0 || /cannot be preloaded/.test(probe.stderr)) {
    throw new Error(
      `the image preloads ${env.LD_PRELOAD} (Dockerfile), which this machine lacks: ` +
        `apt-get install libjemalloc2 (${probe.stderr.trim()})`,
    );
  }
  preloadable.add(env.LD_PRELOAD);
}

/** Libraries already found loadable: each bench server start would otherwise probe again. */
const preloadable = new Set<string>();
