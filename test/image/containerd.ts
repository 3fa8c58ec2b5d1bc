/**
 * A throwaway containerd (Debian's package, started as a plain process) with its own socket,
 * root and state under a temporary directory, for running the built image with `ctr` and
 * runc exactly as a node would, without a cluster. Test-only. `stop()` kills what it started
 * and unmounts whatever it left under its root.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface ScratchContainerd {
  /** Runs ctr against this containerd (namespace "default"); never throws on a non-zero exit. */
  ctr(args: string[], timeoutMs?: number): SpawnSyncReturns<string>;
  /** Starts `ctr run --rm ...` in the foreground; the child exits with the container. */
  ctrSpawn(args: string[]): ChildProcess;
  /** Kills containerd (and waits for it), unmounts and removes its directories. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

export async function startContainerd(): Promise<ScratchContainerd> {
  // Short path: containerd's socket paths must stay under 108 bytes.
  const dir = mkdtempSync("/tmp/ctrd-");
  const address = path.join(dir, "c.sock");
  const config = path.join(dir, "config.toml");
  mkdirSync(path.join(dir, "root"));
  writeFileSync(
    config,
    [
      "version = 2",
      `root = "${dir}/root"`,
      `state = "${dir}/state"`,
      // The CRI plugin is the kubelet's business; ctr talks to containerd's own API.
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      "[grpc]",
      `  address = "${address}"`,
      "[ttrpc]",
      `  address = "${address}.ttrpc"`,
      "",
    ].join("\n"),
  );
  const log = path.join(dir, "containerd.log");
  const daemon = spawn("sh", ["-c", `exec containerd --config "${config}" >"${log}" 2>&1`], {
    stdio: "ignore",
  });
  const ctr = (args: string[], timeoutMs = 120_000): SpawnSyncReturns<string> =>
    spawnSync("ctr", ["--address", address, ...args], { encoding: "utf8", timeout: timeoutMs });
  const exited = new Promise<void>((resolve) => daemon.once("exit", () => resolve()));
  const stop = async (): Promise<void> => {
    // Containers first (a running task keeps its shim and mounts), then the daemon.
    for (const id of ctr(["tasks", "ls", "-q"]).stdout?.split("\n").filter(Boolean) ?? []) {
      ctr(["tasks", "kill", "-s", "SIGKILL", id]);
      ctr(["tasks", "delete", "-f", id]);
    }
    for (const id of ctr(["containers", "ls", "-q"]).stdout?.split("\n").filter(Boolean) ?? [])
      ctr(["containers", "delete", id]);
    daemon.kill("SIGTERM");
    const killer = setTimeout(() => daemon.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(killer);
    const mounts = readFileSync("/proc/mounts", "utf8")
      .split("\n")
      .map((line) => line.split(" ")[1] ?? "")
      .filter((m) => m.startsWith(`${dir}/`))
      .sort()
      .reverse();
    for (const m of mounts) spawnSync("umount", ["-l", m]);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(existsSync(address) && ctr(["version"]).status === 0)) {
    if (daemon.exitCode !== null || Date.now() > deadline) {
      const output = existsSync(log) ? readFileSync(log, "utf8").slice(-2000) : "";
      await stop();
      throw new Error(`containerd did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    ctr,
    ctrSpawn: (args) => spawn("ctr", ["--address", address, ...args], { stdio: "pipe" }),
    stop,
  };
}
