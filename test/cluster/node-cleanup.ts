// What a real node can leave on the machine, found and removed: processes (containerd, its
// shims, the pods' processes), mounts (overlay rootfs, shm, volumes, network namespaces), the
// CNI bridge and veths, iptables chains (CNI's, kube-proxy's, the kubelet's canaries) and the
// pods' cgroups. leftovers() is what `cluster:down` is checked against; forceCleanup() removes
// whatever an orderly stop (node.ts) did not. Only one real node runs per machine
// (node-lock.ts), so every CNI-/KUBE- chain, cni- netns and kubepods cgroup here is ours.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CNI_BRIDGE, CNI_NETWORK, type NodeFiles } from "./node-config.js";
import { commandLine } from "./processes.js";

const NETNS_DIR = "/run/netns";
const CGROUP_ROOT = "/sys/fs/cgroup";
const CHAIN_PREFIXES = ["CNI-", "KUBE-"];
const IPTABLES = ["iptables", "ip6tables"] as const;
const TABLES = ["filter", "nat", "mangle"] as const;

export interface Leftovers {
  processes: string[];
  mounts: string[];
  interfaces: string[];
  chains: string[];
  cgroups: string[];
}

function pids(): number[] {
  return fs
    .readdirSync("/proc")
    .filter((e) => /^\d+$/.test(e))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

function inPodCgroup(pid: number): boolean {
  try {
    return fs.readFileSync(`/proc/${pid}/cgroup`, "utf8").includes("/kubepods");
  } catch {
    return false;
  }
}

/** Processes of the node: anything started with its directory, and every pod's process. */
function nodeProcesses(f: NodeFiles): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const pid of pids()) {
    const cmd = commandLine(pid);
    if (cmd === undefined) continue; // gone
    // An empty command line is a kernel thread, or a process in the middle of an exec: the
    // cgroup still tells a pod's.
    if (cmd.includes(f.root + "/") || inPodCgroup(pid)) found.push({ pid, cmd });
  }
  return found;
}

/** Mount points under the node's directory, and the pods' network namespaces. */
function nodeMounts(f: NodeFiles): string[] {
  let info: string;
  try {
    info = fs.readFileSync("/proc/self/mountinfo", "utf8");
  } catch {
    return [];
  }
  const points = info
    .split("\n")
    .map((line) => line.split(" ")[4])
    .filter((p): p is string => !!p)
    .map((p) => p.replace(/\\040/g, " "))
    .filter((p) => p.startsWith(f.root + "/") || p.startsWith(`${NETNS_DIR}/cni-`));
  // Deepest first, so nested mounts go before the ones they sit on.
  return [...new Set(points)].sort((a, b) => b.length - a.length);
}

function netnsFiles(): string[] {
  try {
    return fs
      .readdirSync(NETNS_DIR)
      .filter((n) => n.startsWith("cni-"))
      .map((n) => path.join(NETNS_DIR, n));
  } catch {
    return [];
  }
}

/** The CNI bridge and the veths plugged into it. */
function nodeInterfaces(): string[] {
  const res = spawnSync("ip", ["-o", "link", "show"], { encoding: "utf8" });
  return (res.stdout ?? "")
    .split("\n")
    .filter((l) => l.includes(`${CNI_BRIDGE}:`) || l.includes(`master ${CNI_BRIDGE} `))
    .map((l) => (l.split(":")[1] ?? "").trim().split("@")[0]!);
}

interface Chain {
  bin: (typeof IPTABLES)[number];
  table: string;
  name: string;
}

function save(bin: string, table: string): string {
  const res = spawnSync(`${bin}-save`, ["-t", table], { encoding: "utf8" });
  return res.status === 0 ? res.stdout : "";
}

const ours = (chain: string): boolean => CHAIN_PREFIXES.some((p) => chain.startsWith(p));

function nodeChains(): Chain[] {
  const chains: Chain[] = [];
  for (const bin of IPTABLES)
    for (const table of TABLES)
      for (const line of save(bin, table).split("\n")) {
        const m = /^:(\S+)/.exec(line);
        if (m && ours(m[1]!)) chains.push({ bin, table, name: m[1]! });
      }
  return chains;
}

/** kubepods cgroups the kubelet made (cgroupfs driver, v1: one tree per controller). */
function nodeCgroups(): string[] {
  let controllers: string[];
  try {
    controllers = fs.readdirSync(CGROUP_ROOT);
  } catch {
    return [];
  }
  return controllers
    .map((c) => path.join(CGROUP_ROOT, c, "kubepods"))
    .filter((p) => fs.existsSync(p));
}

/** Everything of the node still on the machine; all empty after a clean stop. */
export function leftovers(f: NodeFiles): Leftovers {
  return {
    processes: nodeProcesses(f).map((p) => `${p.pid} ${p.cmd.slice(0, 160)}`),
    mounts: [...nodeMounts(f), ...netnsFiles()],
    interfaces: nodeInterfaces(),
    chains: nodeChains().map((c) => `${c.bin} -t ${c.table} ${c.name}`),
    cgroups: nodeCgroups(),
  };
}

export function describeLeftovers(l: Leftovers): string {
  return Object.entries(l)
    .filter(([, items]) => (items as string[]).length > 0)
    .map(([kind, items]) => `${kind}: ${(items as string[]).join(", ")}`)
    .join("; ");
}

/** Deletes the rules that jump into our chains, then flushes and deletes the chains. */
function removeChains(): void {
  for (const bin of IPTABLES)
    for (const table of TABLES) {
      const dump = save(bin, table);
      const chains = [...dump.matchAll(/^:(\S+)/gm)].map((m) => m[1]!).filter(ours);
      if (chains.length === 0) continue;
      const jumps = dump
        .split("\n")
        .filter((l) => l.startsWith("-A ") && !ours(l.split(" ")[1]!))
        .filter((l) => chains.some((c) => l.includes(` -j ${c}`) || l.includes(` -g ${c}`)))
        .map((l) => `-D${l.slice(2)}`);
      const script = [
        `*${table}`,
        ...jumps,
        ...chains.map((c) => `-F ${c}`),
        ...chains.map((c) => `-X ${c}`),
        "COMMIT",
        "",
      ].join("\n");
      spawnSync(`${bin}-restore`, ["--noflush"], { input: script, encoding: "utf8" });
    }
}

function removeCgroup(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) removeCgroup(path.join(dir, e.name));
  try {
    fs.rmdirSync(dir);
  } catch {
    // still has a process: reported by leftovers()
  }
}

/**
 * Removes whatever the node left: kills its processes, unmounts, deletes the bridge, the
 * chains, the network namespaces, the cgroups and the CNI result cache. Safe to run when
 * nothing is left. Returns what it could not remove.
 */
export function forceCleanup(f: NodeFiles): Leftovers {
  for (const p of nodeProcesses(f)) {
    try {
      process.kill(p.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
  for (const point of nodeMounts(f)) spawnSync("umount", ["-l", point]);
  for (const file of netnsFiles()) fs.rmSync(file, { force: true });
  for (const name of nodeInterfaces()) spawnSync("ip", ["link", "delete", name]);
  removeChains();
  // Processes killed above leave their cgroups a moment later.
  for (let i = 0; i < 20 && nodeCgroups().some((c) => fs.existsSync(c)); i++) {
    nodeCgroups().forEach(removeCgroup);
    if (nodeCgroups().length > 0) execFileSync("sleep", ["0.1"]);
  }
  // libcni caches each attachment's result outside the cluster dir.
  const results = "/var/lib/cni/results";
  if (fs.existsSync(results))
    for (const name of fs.readdirSync(results))
      if (name.startsWith(`${CNI_NETWORK}-`)) fs.rmSync(path.join(results, name), { force: true });
  return leftovers(f);
}
