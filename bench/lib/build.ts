/**
 * `npm run build` (tsc + assets into dist/) when a built entry point is missing or older than
 * its sources: the benchmarks run the production build, never TypeScript through a loader.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * Builds when `dist/<entry>` is missing or older than any file under `sourceDirs`. A type
 * error elsewhere in the tree still emits JavaScript: go on (with a warning) if the entry exists.
 * Returns the absolute path of the built entry.
 */
export function ensureBuilt(entry: string, sourceDirs: readonly string[]): string {
  const built = join(REPO, "dist", entry);
  const newestSource = Math.max(...sourceDirs.map((d) => newestMtime(join(REPO, d))));
  if (existsSync(built) && statSync(built).mtimeMs >= newestSource) return built;
  process.stderr.write(`bench: building (npm run build) for dist/${entry}\n`);
  try {
    execFileSync("npm", ["run", "--silent", "build"], {
      cwd: REPO,
      stdio: ["ignore", 2, 2],
      timeout: 300_000,
    });
  } catch (error) {
    if (!existsSync(built)) throw error;
    process.stderr.write("bench: the build reported errors; using the emitted dist/ anyway\n");
  }
  return built;
}
