/**
 * Builds (once, cached) the Go programs the benchmarks need: ghz from its Go module and the
 * reference server from bench/reference, both into ~/.cache/tenant-operator/bench/ with
 * GOTOOLCHAIN=local; and makes sure wrk (Debian) is installed.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const GHZ_VERSION = "v0.120.0";
export const CACHE_DIR = join(homedir(), ".cache", "tenant-operator", "bench");
const REFERENCE_DIR = fileURLToPath(new URL("../reference/", import.meta.url));

const goEnv = (): NodeJS.ProcessEnv => ({ ...process.env, GOTOOLCHAIN: "local" });

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/** The ghz binary, `go install`ed from its module at GHZ_VERSION on first use. */
export function ensureGhz(): string {
  const dir = join(CACHE_DIR, `ghz-${GHZ_VERSION}`);
  const binary = join(dir, "ghz");
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  log(`building ghz ${GHZ_VERSION} from the Go module proxy (once; a few minutes)`);
  execFileSync("go", ["install", `github.com/bojand/ghz/cmd/ghz@${GHZ_VERSION}`], {
    env: { ...goEnv(), GOBIN: dir },
    stdio: ["ignore", "inherit", "inherit"],
    timeout: 900_000,
  });
  return binary;
}

/** The reference server's binary, rebuilt whenever bench/reference's sources change. */
export function ensureReference(): string {
  const hash = createHash("sha256");
  for (const name of readdirSync(REFERENCE_DIR).sort()) {
    if (/\.(go|mod|sum)$/.test(name))
      hash.update(name).update(readFileSync(join(REFERENCE_DIR, name)));
  }
  const binary = join(CACHE_DIR, `reference-${hash.digest("hex").slice(0, 16)}`);
  if (existsSync(binary)) return binary;
  mkdirSync(CACHE_DIR, { recursive: true });
  log("building the Go reference server (bench/reference)");
  execFileSync("go", ["build", "-o", binary, "."], {
    cwd: REFERENCE_DIR,
    env: goEnv(),
    stdio: ["ignore", "inherit", "inherit"],
    timeout: 600_000,
  });
  return binary;
}

/** wrk from Debian, installed with apt-get when missing and we are root. */
export function ensureWrk(): string {
  const found = ["/usr/bin/wrk", "/usr/local/bin/wrk"].find((p) => existsSync(p));
  if (found) return found;
  if (process.getuid?.() !== 0)
    throw new Error("wrk not found: install it with `sudo apt-get install wrk`");
  log("installing wrk (Debian)");
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-q"], { stdio: ["ignore", 2, 2], env, timeout: 300_000 });
  execFileSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", "wrk"], {
    stdio: ["ignore", 2, 2],
    env,
    timeout: 300_000,
  });
  return "/usr/bin/wrk";
}

/** `go version` without the "go version " prefix, or "unknown". */
export function goVersion(): string {
  try {
    return execFileSync("go", ["version"], { env: goEnv(), encoding: "utf8", timeout: 30_000 })
      .trim()
      .replace(/^go version /, "");
  } catch {
    return "unknown";
  }
}
