// Process plumbing for the local control plane and the tests: free ports, detached daemons
// that outlive the process that started them (so `cluster:up` can exit), stopping them by pid,
// and the opposite for a test's own children: a command line that dies with its parent.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";

/** True when a process with this pid exists (and is not a zombie we could reap). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  try {
    // A zombie (exited, not yet reaped by its parent) still answers signal 0.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return true;
  }
}

/** The command line of a live process, or undefined. */
export function commandLine(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
  } catch {
    return undefined;
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === "object") resolve(address.port);
        else reject(new Error("could not read the bound port"));
      });
    });
  });
}

/** `count` distinct free ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  for (let i = 0; ports.size < count && i < count * 20; i++) ports.add(await freePort());
  if (ports.size < count) throw new Error(`could not find ${count} free ports`);
  return [...ports];
}

/**
 * Starts `command` in its own process group, stdout and stderr appended to `logFile`, and
 * returns its pid without waiting for it: the daemon outlives this process.
 */
export function spawnDaemon(
  command: string,
  args: string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): number {
  const fd = fs.openSync(logFile, "a");
  try {
    fs.writeSync(fd, `\n=== ${new Date().toISOString()} ${command} ${args.join(" ")}\n`);
    const child = spawn(command, args, { detached: true, stdio: ["ignore", fd, fd], env });
    if (child.pid === undefined) throw new Error(`could not start ${command}`);
    child.on("error", () => {}); // reported through the pid check / readiness wait
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

const SETPRIV = "/usr/bin/setpriv";
const hasSetpriv = fs.existsSync(SETPRIV);

/**
 * The command line that runs `command` so that the kernel kills it when this process dies: an
 * exit handler does not run when a test worker is killed by a signal (a stopped or timed-out
 * run), which left operators running against the next run's cluster. util-linux's setpriv sets
 * the parent-death signal and execs the command under the same pid. Without setpriv the command
 * runs as is.
 */
export function diesWithParent(command: string, args: string[]): [string, string[]] {
  if (!hasSetpriv) return [command, args];
  return [SETPRIV, ["--pdeathsig", "SIGKILL", "--", command, ...args]];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Stops a process we started: SIGTERM, then SIGKILL after `graceMs`. `mustContain` guards
 * against a recycled pid: a process whose command line lacks it is left alone.
 * A stopped (SIGSTOP) process is continued first so it can handle SIGTERM.
 */
export async function stopProcess(
  pid: number,
  mustContain: string,
  graceMs = 10_000,
): Promise<void> {
  if (!isAlive(pid) || !(await settledCommandLine(pid)).includes(mustContain)) return;
  signal(pid, "SIGCONT");
  signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (!isAlive(pid)) return;
  signal(pid, "SIGKILL");
  const killDeadline = Date.now() + 5000;
  while (isAlive(pid) && Date.now() < killDeadline) await sleep(50);
  if (isAlive(pid)) throw new Error(`process ${pid} (${mustContain}) survived SIGKILL`);
}

/**
 * The command line of a live process, read again for a moment while it is empty: a process in
 * the middle of an exec shows an empty one (its new memory has no arguments yet), and taking
 * that for "not our process" would leave a daemon running.
 */
async function settledCommandLine(pid: number): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const line = commandLine(pid) ?? "";
    if (line !== "" || attempt === 10 || !isAlive(pid)) return line;
    await sleep(20);
  }
}

/**
 * Freezes a process (SIGSTOP) and returns once every one of its threads has stopped. The kernel
 * stops a thread group lazily: one thread takes the signal and asks the others to stop, and each
 * runs on until it is next scheduled, which on a loaded host can be long enough for etcd to
 * answer a request sent right after the signal (a fresh-clone CI run on 2026-12-05 saw a write
 * complete 23 ms after it).
 */
export function pauseProcess(pid: number, timeoutMs = 10_000): void {
  if (!isAlive(pid)) throw new Error(`process ${pid} is not running: nothing to pause`);
  signal(pid, "SIGSTOP");
  const deadline = Date.now() + timeoutMs;
  while (!allThreadsStopped(pid)) {
    if (Date.now() > deadline) {
      throw new Error(`process ${pid} did not stop within ${timeoutMs} ms of SIGSTOP`);
    }
    Atomics.wait(PAUSE_CLOCK, 0, 0, 2); // a synchronous 2 ms sleep
  }
}

const PAUSE_CLOCK = new Int32Array(new SharedArrayBuffer(4));

/** Whether every thread of `pid` is in state T (stopped), read from /proc. */
export function allThreadsStopped(pid: number): boolean {
  let threads: string[];
  try {
    threads = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    throw new Error(`process ${pid} is gone`);
  }
  return threads.every((tid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "T";
    } catch {
      return true; // the thread exited meanwhile
    }
  });
}

/** Sends a signal, ignoring a process that is already gone. */
export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ESRCH") throw err;
  }
}
