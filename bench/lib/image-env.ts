/**
 * The memory settings the image runs the service with (NODE_OPTIONS, MALLOC_ARENA_MAX in the
 * Dockerfile's runtime stage), read from the Dockerfile so that the benches run ours exactly as a
 * tenant pod does and cannot drift from it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./build.js";

const MEMORY_VARIABLES = ["NODE_OPTIONS", "MALLOC_ARENA_MAX"];

/** The memory-related ENV of the Dockerfile's runtime stage, e.g. {NODE_OPTIONS: "..."}. */
export function imageMemoryEnv(dockerfile = readFileSync(join(REPO, "Dockerfile"), "utf8")) {
  const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
  const env: Record<string, string> = {};
  for (const line of runtime.split("\n").filter((l) => l.startsWith("ENV "))) {
    for (const match of line.matchAll(/(\w+)=("[^"]*"|\S+)/g)) {
      const [name, raw] = [match[1]!, match[2]!];
      if (MEMORY_VARIABLES.includes(name)) env[name] = raw.replace(/^"|"$/g, "");
    }
  }
  return env;
}
