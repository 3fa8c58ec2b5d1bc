/**
 * A real, throw-away PostgreSQL server for tests: Debian's binaries (installed with apt-get
 * when missing and we are root), initdb in a temp dir, listening on a free loopback port
 * with its unix socket inside that dir. initdb and postgres refuse to run as root, so as
 * root they run as the `postgres` user (via runuser) on a temp dir chowned to it.
 *
 *   const pg = await startPostgres();   // beforeAll
 *   const url = await pg.createDatabase("t1");
 *   await pg.stop();                    // afterAll: stops the server, removes the dir
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from "node:fs";
import { mkdir } from "node:fs/promises";
import { freePort } from "../cluster/processes.js";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export interface PostgresServer {
  /** Connection string of the `postgres` database (superuser, trust auth). */
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  /** Creates a fresh database and returns its connection string. */
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/** The newest /usr/lib/postgresql/<version>/bin that has initdb, or undefined. */
export function findPostgresBin(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, "bin", "initdb")))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] === undefined ? undefined : join(root, versions[0], "bin");
}

/** Finds the binaries, installing Debian's `postgresql` package first if needed. */
export function ensurePostgresBin(): string {
  const found = findPostgresBin();
  if (found) return found;
  if (!isRoot) {
    throw new Error(
      "PostgreSQL binaries not found: install them with `sudo apt-get install postgresql`",
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-q"], { stdio: "inherit", env, timeout: 300_000 });
  execFileSync("apt-get", ["install", "-y", "-q", "--no-install-recommends", "postgresql"], {
    stdio: "inherit",
    env,
    timeout: 600_000,
  });
  const installed = findPostgresBin();
  if (!installed)
    throw new Error("apt-get installed postgresql but no initdb under /usr/lib/postgresql");
  return installed;
}

/** Runs a PostgreSQL binary as the postgres user when we are root. */
function asPostgres(binary: string, args: string[]): [string, string[]] {
  return isRoot ? ["runuser", ["-u", "postgres", "--", binary, ...args]] : [binary, args];
}

export interface PostgresOptions {
  /** Addresses to listen on besides 127.0.0.1 (e.g. one a pod can reach). */
  listen?: string[];
  /** Lines appended to pg_hba.conf (after initdb's trust lines for local and loopback). */
  hba?: string[];
}

export async function startPostgres(opts: PostgresOptions = {}): Promise<PostgresServer> {
  const bin = ensurePostgresBin();
  const dir = mkdtempSync(join(tmpdir(), "pg-test-"));
  const data = join(dir, "data");
  await mkdir(join(dir, "sock"));
  if (isRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"]).toString().trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"]).toString().trim());
    for (const path of [dir, join(dir, "sock")]) chownSync(path, uid, gid);
  }
  const [initCmd, initArgs] = asPostgres(join(bin, "initdb"), [
    ...["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"],
  ]);
  execFileSync(initCmd, initArgs, { stdio: "pipe", timeout: 120_000 });
  if (opts.hba?.length) appendFileSync(join(data, "pg_hba.conf"), `${opts.hba.join("\n")}\n`);
  const hosts = ["127.0.0.1", ...(opts.listen ?? [])].join(",");
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(bin, dir, data, await freePort(), hosts);
    } catch (error) {
      lastError = error; // most likely the port was taken between probe and bind: retry
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError;
}

async function launch(
  bin: string,
  dir: string,
  data: string,
  port: number,
  hosts: string,
): Promise<PostgresServer> {
  const [cmd, args] = asPostgres(join(bin, "postgres"), [
    ...["-D", data, "-p", String(port), "-k", join(dir, "sock"), "-h", hosts],
    ...["-c", "fsync=off", "-c", "max_connections=300", "-c", "shared_buffers=64MB"],
  ]);
  const child = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  const stopNow = (): void => killPostmaster(data, "SIGQUIT");
  process.once("exit", stopNow);
  try {
    await waitReady(url, child, () => log);
  } catch (error) {
    stopNow();
    process.removeListener("exit", stopNow);
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    dir,
    async createDatabase(name) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
      } finally {
        await client.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${encodeURIComponent(name)}`;
    },
    stop() {
      stopping ??= (async () => {
        process.removeListener("exit", stopNow);
        await stopChild(child, data);
        rmSync(dir, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
}

async function waitReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`postgres exited early:\n${log()}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((done) => setTimeout(done, 100));
    }
  }
  throw new Error(`postgres did not accept connections within 30 s:\n${log()}`);
}

/** Signals the postmaster itself (runuser does not forward signals reliably). */
function killPostmaster(data: string, signal: NodeJS.Signals): void {
  try {
    const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    if (pid > 0) process.kill(pid, signal);
  } catch {
    // not running (no pid file) or already gone
  }
}

async function stopChild(child: ChildProcess, data: string): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((done) => child.once("exit", () => done()));
  killPostmaster(data, "SIGINT"); // fast shutdown: disconnect clients, checkpoint, exit
  const timeout = new Promise<"timeout">((done) =>
    setTimeout(() => done("timeout"), 20_000).unref(),
  );
  if ((await Promise.race([exited, timeout])) === "timeout") {
    killPostmaster(data, "SIGKILL");
    child.kill("SIGKILL");
    await exited;
  }
}
