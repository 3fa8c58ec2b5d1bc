// The state file of a local cluster (<dir>/state.json): what was started, with which
// command, pid and ports. It is written before the first process starts and after each
// one, so a cluster that crashed half-way can still be stopped by pid.
import fs from "node:fs";
import path from "node:path";
import type { ComponentName, Ports } from "./components.js";

export interface ComponentState {
  pid: number;
  command: string;
  args: string[];
  env?: Record<string, string>;
  logFile: string;
}

export interface ClusterState {
  dir: string;
  binDir: string;
  /** https://127.0.0.1:<port> */
  server: string;
  ports: Ports;
  /** The process the cluster belongs to (a test run); absent for `cluster:up`. */
  ownerPid?: number;
  nodeNames: string[];
  startedAt: string;
  components: Partial<Record<ComponentName, ComponentState>>;
  node?: NodeState;
}

/** The real node's processes (test/cluster/node.ts), when the cluster runs one. */
export type NodeProcessName = "containerd" | "kubelet" | "kube-proxy" | "provisioner";

export interface NodeState {
  nodeIp: string;
  ports: { kubelet: number; kubeletHealthz: number; proxyHealthz: number; proxyMetrics: number };
  processes: Partial<Record<NodeProcessName, ComponentState>>;
}

export const stateFile = (dir: string): string => path.join(dir, "state.json");

/** The state of the cluster in `dir`, or undefined when there is none (or it is unreadable). */
export function readState(dir: string): ClusterState | undefined {
  try {
    return JSON.parse(fs.readFileSync(stateFile(dir), "utf8")) as ClusterState;
  } catch {
    return undefined;
  }
}

export function writeState(state: ClusterState): void {
  const tmp = `${stateFile(state.dir)}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(state, null, 2) + "\n");
  fs.renameSync(tmp, stateFile(state.dir));
}
