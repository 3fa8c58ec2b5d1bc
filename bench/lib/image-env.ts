/**
 * The settings the image runs the service with, read from the Dockerfile's runtime stage so that
 * the benches run ours exactly as a tenant pod does and cannot drift from it: the memory
 * variables of its ENV (NODE_OPTIONS, MALLOC_ARENA_MAX) and the node flags of its CMD (V8 flags
 * that NODE_OPTIONS does not accept, such as --single-threaded-gc).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./build.js";

const MEMORY_VARIABLES = ["NODE_OPTIONS", "MALLOC_ARENA_MAX"];

const readDockerfile = (): string => readFileSync(join(REPO, "Dockerfile"), "utf8");
const runtimeStage = (dockerfile: string): string =>
  dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));

/** The memory-related ENV of the Dockerfile's runtime stage, e.g. {NODE_OPTIONS: "..."}. */
export function imageMemoryEnv(dockerfile = readDockerfile()): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of runtimeStage(dockerfile)
    .split("\n")
    .filter((l) => l.startsWith("ENV "))) {
    for (const match of line.matchAll(/(\w+)=("[^"]*"|\S+)/g)) {
      const [name, raw] = [match[1]!, match[2]!];
      if (MEMORY_VARIABLES.includes(name)) env[name] = raw.replace(/^"|"$/g, "");
    }
  }
  return env;
}

/** The node flags of the runtime stage's CMD (exec form), the arguments before the script. */
export function imageNodeFlags(dockerfile = readDockerfile()): string[] {
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(runtimeStage(dockerfile));
  if (!cmd) return [];
  const args = JSON.parse(cmd[1]!) as string[];
  const script = args.findIndex((arg) => !arg.startsWith("-"));
  return script === -1 ? args : args.slice(0, script);
}
