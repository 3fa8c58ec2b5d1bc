// Stopping daemons by pid is what keeps `cluster:down` from leaving processes behind, and
// diesWithParent is what keeps a test worker killed by a signal from leaving its operators and
// services behind: checked here on real processes (sh, node and sleep), without a cluster.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  commandLine,
  diesWithParent,
  freePorts,
  allThreadsStopped,
  isAlive,
  pauseProcess,
  signal,
  spawnDaemon,
  stopProcess,
} from "./processes.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "cluster-processes-"));
const started: number[] = [];

afterAll(() => {
  for (const pid of started) signal(pid, "SIGKILL");
  fs.rmSync(tmp, { recursive: true, force: true });
});

function daemon(script: string): number {
  const pid = spawnDaemon("/bin/sh", ["-c", script], path.join(tmp, "daemon.log"));
  started.push(pid);
  return pid;
}

/**
 * Waits until the shell has exec'd `command` (its command line starts with it): stopping it
 * in the middle of that exec raced once on a busy CI host (stop 27).
 */
async function execed(pid: number, command: string): Promise<number> {
  await expect
    .poll(() => commandLine(pid) ?? "", { timeout: 5000 })
    .toMatch(new RegExp(`^${command}`));
  return pid;
}

describe("stopProcess", () => {
  it("stops a daemon with SIGTERM", async () => {
    const pid = await execed(daemon("exec sleep 300"), "sleep");
    expect(isAlive(pid)).toBe(true);
    await stopProcess(pid, "sleep");
    expect(isAlive(pid)).toBe(false);
  });

  it("kills a daemon that ignores SIGTERM once the grace period is over", async () => {
    const pid = await execed(daemon("trap '' TERM; while :; do sleep 1; done"), "/bin/sh");
    await new Promise((r) => setTimeout(r, 200)); // let the shell install its trap
    await stopProcess(pid, "/bin/sh", 500);
    expect(isAlive(pid)).toBe(false);
  });

  it("continues a paused (SIGSTOP) daemon so it can handle SIGTERM", async () => {
    const log = path.join(tmp, "paused.log");
    const script = "trap 'echo got-term; exit 0' TERM; while :; do sleep 0.1; done";
    const pid = spawnDaemon("/bin/sh", ["-c", script], log);
    started.push(pid);
    await execed(pid, "/bin/sh");
    await new Promise((r) => setTimeout(r, 200)); // let the shell install its trap
    signal(pid, "SIGSTOP");
    await stopProcess(pid, "/bin/sh", 5000);
    expect(isAlive(pid)).toBe(false);
    // A line of its own: the log's header line quotes the script, trap text included.
    expect(fs.readFileSync(log, "utf8").split("\n")).toContain("got-term");
  });

  it("leaves alone a pid whose command line is not the expected one", async () => {
    const pid = await execed(daemon("exec sleep 300"), "sleep");
    await stopProcess(pid, "/not/our/kube-apiserver");
    expect(isAlive(pid)).toBe(true);
    await stopProcess(pid, "sleep");
    expect(isAlive(pid)).toBe(false);
  });

  it("writes the daemon's output to its log file", async () => {
    const pid = daemon("echo hello-from-daemon");
    await expect.poll(() => isAlive(pid), { timeout: 5000 }).toBe(false);
    const lines = fs.readFileSync(path.join(tmp, "daemon.log"), "utf8").split("\n");
    expect(lines).toContain("hello-from-daemon"); // a line of its own, not the header's quote
  });
});

describe("pauseProcess", () => {
  it("returns only once every thread of a multi-threaded process has stopped", async () => {
    const pid = await execed(
      daemon(`exec ${process.execPath} -e "setInterval(() => {}, 1000)"`),
      process.execPath,
    );
    await expect.poll(() => fs.readdirSync(`/proc/${pid}/task`).length).toBeGreaterThan(1);
    expect(allThreadsStopped(pid)).toBe(false);
    pauseProcess(pid);
    expect(allThreadsStopped(pid)).toBe(true);
    signal(pid, "SIGCONT");
    await expect.poll(() => allThreadsStopped(pid)).toBe(false);
  });

  it("refuses a pid that is not running instead of pausing nothing", async () => {
    const pid = daemon("exit 0");
    await expect.poll(() => isAlive(pid)).toBe(false);
    expect(() => pauseProcess(pid)).toThrow(/not running/);
  });
});

describe("freePorts", () => {
  it("returns distinct loopback ports", async () => {
    const ports = await freePorts(5);
    expect(new Set(ports).size).toBe(5);
    for (const port of ports) expect(port).toBeGreaterThan(0);
  });
});

/** Starts a node process that starts `command` and prints the child's pid; resolves both pids. */
async function parentWithChild(command: [string, string[]]): Promise<[number, number]> {
  const script =
    "const [c, a] = JSON.parse(process.argv[1]);" +
    "const child = require('node:child_process').spawn(c, a, { stdio: 'ignore' });" +
    "console.log(child.pid); setInterval(() => {}, 1000);";
  const parent = spawn(process.execPath, ["-e", script, JSON.stringify(command)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const childPid = await new Promise<number>((resolve, reject) => {
    parent.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    parent.once("exit", () => reject(new Error("the parent exited before starting its child")));
  });
  return [parent.pid!, childPid];
}

describe("diesWithParent", () => {
  it("a child started through it dies when its parent is killed with SIGKILL", async () => {
    const [parent, child] = await parentWithChild(diesWithParent("/bin/sleep", ["300"]));
    try {
      await expect.poll(() => isAlive(child)).toBe(true);
      signal(parent, "SIGKILL");
      await expect.poll(() => isAlive(child), { timeout: 5000 }).toBe(false);
    } finally {
      signal(child, "SIGKILL");
      signal(parent, "SIGKILL");
    }
  });

  it("a child started without it outlives its killed parent (what the test guards against)", async () => {
    const [parent, child] = await parentWithChild(["/bin/sleep", ["300"]]);
    try {
      signal(parent, "SIGKILL");
      await expect.poll(() => isAlive(parent), { timeout: 5000 }).toBe(false);
      expect(isAlive(child)).toBe(true);
    } finally {
      signal(child, "SIGKILL");
    }
  });
});
