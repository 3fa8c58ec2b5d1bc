// One real node per machine: kube-proxy's iptables chains, the CNI bridge and the pods'
// network namespaces are machine-wide, so two real nodes would fight over them. The lock
// is a file naming the cluster directory that holds it; a lock whose cluster no longer runs
// a node (crashed, removed) is taken over.
import fs from "node:fs";
import path from "node:path";
import { isAlive } from "./processes.js";
import { readState } from "./state.js";

export const NODE_LOCK_FILE = path.join(
  fs.existsSync("/run/lock") ? "/run/lock" : "/tmp",
  "tenant-operator-real-node.lock",
);

/** The cluster directory whose real node holds the lock, if its node still runs. */
export function realNodeHolder(): string | undefined {
  let dir: string;
  try {
    dir = fs.readFileSync(NODE_LOCK_FILE, "utf8").trim();
  } catch {
    return undefined;
  }
  const node = readState(dir)?.node;
  if (!node) return undefined;
  const pids = Object.values(node.processes).map((p) => p.pid);
  return pids.some(isAlive) ? dir : undefined;
}

export class RealNodeBusyError extends Error {
  constructor(readonly holder: string) {
    super(
      `this machine's real node is already run by the cluster in ${holder}: only one real node ` +
        `can run per machine (kube-proxy's iptables chains and the CNI bridge are machine-wide). ` +
        `Stop that cluster (npm run cluster:down -- --dir ${holder}) or start this one without ` +
        `a real node (--no-real-node, or TENANT_OPERATOR_REAL_NODE=0 for the tests).`,
    );
  }
}

/**
 * Takes the lock for `dir`; throws RealNodeBusyError when another cluster's node runs.
 * Returns the directory of a dead holder whose leftovers the caller should clean, if any.
 */
export function acquireNodeLock(dir: string): { staleHolder?: string } {
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.writeFileSync(NODE_LOCK_FILE, dir, { flag: "wx" });
      return {};
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const holder = realNodeHolder();
    if (holder && holder !== dir) throw new RealNodeBusyError(holder);
    const previous = fs.readFileSync(NODE_LOCK_FILE, "utf8").trim();
    fs.writeFileSync(NODE_LOCK_FILE, dir);
    return previous && previous !== dir ? { staleHolder: previous } : {};
  }
  throw new Error(`could not take ${NODE_LOCK_FILE}`);
}

/** Releases the lock if `dir` holds it. */
export function releaseNodeLock(dir: string): void {
  try {
    if (fs.readFileSync(NODE_LOCK_FILE, "utf8").trim() === dir) fs.rmSync(NODE_LOCK_FILE);
  } catch {
    // not held
  }
}
