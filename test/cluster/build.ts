// Builds the control-plane binaries from the Go recipe modules in test/cluster/go/, once:
// each binary is cached in the bin dir with a stamp of the recipe it was built from, and
// rebuilt only when it is missing or its recipe changed.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { CLUSTER_SRC_DIR, RECIPES, defaultBinDir, type Recipe } from "./manifest.js";
import { isAlive } from "./processes.js";

const STAMP_FILE = "stamps.json";
const LOCK_FILE = ".build.lock";
const HEARTBEAT_MS = 20_000;
const LOCK_WAIT_MS = 90 * 60_000;

/** A recipe of any binary cached in the bin dir (the control plane's or another set's). */
export type AnyRecipe = Omit<Recipe, "name"> & { name: string };

export interface BuildOptions {
  binDir?: string;
  /** The binaries to ensure (default: the control plane's RECIPES). */
  recipes?: readonly AnyRecipe[];
  /** Progress lines; defaults to stdout. */
  log?: (line: string) => void;
}

/** Key of a recipe: changes whenever what the binary is built from changes. */
export function recipeKey(recipe: AnyRecipe): string {
  const moduleDir = path.join(CLUSTER_SRC_DIR, "go", recipe.module);
  const hash = createHash("sha256");
  hash.update(JSON.stringify(recipe));
  for (const file of ["go.mod", "go.sum"]) hash.update(fs.readFileSync(path.join(moduleDir, file)));
  return hash.digest("hex").slice(0, 16);
}

function readStamps(binDir: string): Record<string, string> {
  try {
    return JSON.parse(fs.readFileSync(path.join(binDir, STAMP_FILE), "utf8")) as Record<
      string,
      string
    >;
  } catch {
    return {};
  }
}

function writeStamp(binDir: string, name: string, key: string): void {
  const stamps = { ...readStamps(binDir), [name]: key };
  const tmp = path.join(binDir, `${STAMP_FILE}.${process.pid}`);
  fs.writeFileSync(tmp, JSON.stringify(stamps, null, 2) + "\n");
  fs.renameSync(tmp, path.join(binDir, STAMP_FILE));
}

/** Recipes whose binary is missing or was built from another recipe. */
export function staleRecipes(
  binDir = defaultBinDir(),
  recipes: readonly AnyRecipe[] = RECIPES,
): AnyRecipe[] {
  const stamps = readStamps(binDir);
  return recipes.filter(
    (r) => !fs.existsSync(path.join(binDir, r.name)) || stamps[r.name] !== recipeKey(r),
  );
}

/**
 * Ensures every binary is built and current; returns the bin dir. Safe to run from two
 * processes at once (a lock file serialises them; the second then finds the cache warm).
 */
export async function ensureBinaries(opts: BuildOptions = {}): Promise<string> {
  const binDir = opts.binDir ?? defaultBinDir();
  const log = opts.log ?? ((line: string) => console.log(line));
  const recipes = opts.recipes ?? RECIPES;
  if (staleRecipes(binDir, recipes).length === 0) return binDir;
  fs.mkdirSync(binDir, { recursive: true });
  checkGo();
  const unlock = await lock(binDir, log);
  try {
    // Another process may have built them while we waited for the lock.
    const stale = staleRecipes(binDir, recipes);
    for (const [i, recipe] of stale.entries()) {
      log(`[cluster:build] (${i + 1}/${stale.length}) building ${recipe.name} from ${recipe.pkg}`);
      const started = Date.now();
      await goBuild(recipe, binDir, log);
      writeStamp(binDir, recipe.name, recipeKey(recipe));
      log(`[cluster:build] ${recipe.name} built in ${seconds(Date.now() - started)}`);
    }
  } finally {
    unlock();
  }
  return binDir;
}

function seconds(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

function goEnv(): NodeJS.ProcessEnv {
  // Never fetch another toolchain; GOCACHE/GOMODCACHE stay in their default places so
  // later sessions and CI on the same machine reuse them.
  // -buildvcs=false: the recipes live inside this git checkout, and stamping VCS info
  // fails in some clones (e.g. "dubious ownership") while adding nothing we use.
  const goflags = process.env.GOFLAGS ?? "";
  return {
    ...process.env,
    GOTOOLCHAIN: "local",
    GOFLAGS: goflags.includes("-buildvcs") ? goflags : `${goflags} -buildvcs=false`.trim(),
  };
}

function checkGo(): void {
  const res = spawnSync("go", ["version"], { env: goEnv(), encoding: "utf8" });
  if (res.error) {
    throw new Error(
      `cannot run the Go toolchain (${res.error.message}); install Go 1.26 or newer and put "go" on PATH`,
    );
  }
}

/** Runs `go build -v`, printing a heartbeat with the number of packages compiled so far. */
function goBuild(recipe: AnyRecipe, binDir: string, log: (line: string) => void): Promise<void> {
  const out = path.join(binDir, `.${recipe.name}.partial-${process.pid}`);
  const ldflags = ["-s", "-w", ...recipe.ldflags].join(" ");
  const args = ["build", "-v", "-o", out, "-ldflags", ldflags, recipe.pkg];
  const cwd = path.join(CLUSTER_SRC_DIR, "go", recipe.module);
  const env = { ...goEnv(), ...recipe.env };
  const child = spawn("go", args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let packages = 0;
  const tail: string[] = [];
  const onData = (chunk: Buffer): void => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line) continue;
      packages += 1;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const started = Date.now();
  const heartbeat = setInterval(() => {
    log(
      `[cluster:build]   ${recipe.name}: ${seconds(Date.now() - started)}, ${packages} packages compiled or downloaded`,
    );
  }, HEARTBEAT_MS);
  return new Promise<void>((resolve, reject) => {
    child.on("error", (err) => {
      clearInterval(heartbeat);
      reject(err);
    });
    child.on("close", (code, signal) => {
      clearInterval(heartbeat);
      if (code === 0) {
        fs.renameSync(out, path.join(binDir, recipe.name));
        resolve();
        return;
      }
      fs.rmSync(out, { force: true });
      reject(
        new Error(
          `go ${args.join(" ")} (in ${cwd}) failed with ${signal ?? `exit code ${code}`}:\n${tail.join("\n")}`,
        ),
      );
    });
  });
}

/** Takes the bin dir's build lock, waiting (with a heartbeat) while a live process holds it. */
async function lock(binDir: string, log: (line: string) => void): Promise<() => void> {
  const file = path.join(binDir, LOCK_FILE);
  const deadline = Date.now() + LOCK_WAIT_MS;
  let lastNotice = 0;
  for (;;) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx" });
      return () => fs.rmSync(file, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = Number(fs.readFileSync(file, "utf8").trim());
    if (!Number.isInteger(holder) || holder <= 0 || !isAlive(holder)) {
      fs.rmSync(file, { force: true }); // left by a build that died
      continue;
    }
    if (Date.now() > deadline)
      throw new Error(`gave up waiting for build lock ${file} (pid ${holder})`);
    if (Date.now() - lastNotice >= HEARTBEAT_MS) {
      log(`[cluster:build] waiting for another build (pid ${holder}) to finish`);
      lastNotice = Date.now();
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}
