// vitest globalSetup of the cluster suite: one local control plane per test run, started in
// its own directory (.local/cluster-tests/run-<pid>) so runs by several developers in the
// same checkout never share or stop each other's cluster. Stopped when the run ends;
// clusters left by runs that died are swept at the next start.
//
// Set KUBECONFIG to a reachable cluster to reuse it instead (nothing is started or stopped).
// Tests read the cluster with testCluster() from ./testing.js (vitest inject) or from env:
// KUBECONFIG, TENANT_OPERATOR_CLUSTER_DIR, TENANT_OPERATOR_AUDIT_LOG.
import fs from "node:fs";
import path from "node:path";
import { KubeConfig, VersionApi } from "@kubernetes/client-node";
import type { TestProject } from "vitest/node";
import { startCluster, stopCluster } from "./cluster.js";
import { defaultBinDir } from "./manifest.js";
import { isAlive } from "./processes.js";
import { readState } from "./state.js";
import type { ProvidedCluster } from "./testing.js";

const RUNS_DIR = path.resolve(import.meta.dirname, "..", "..", ".local", "cluster-tests");

/** Stops clusters of earlier runs whose owning process is gone. */
async function sweepStaleRuns(): Promise<void> {
  if (!fs.existsSync(RUNS_DIR)) return;
  for (const entry of fs.readdirSync(RUNS_DIR)) {
    const dir = path.join(RUNS_DIR, entry);
    const state = readState(dir);
    if (state?.ownerPid !== undefined && isAlive(state.ownerPid)) continue;
    // Without state it may be a run that is just starting: leave it unless it is old.
    if (!state && Date.now() - fs.statSync(dir).mtimeMs < 10 * 60_000) continue;
    console.log(`[cluster] removing the cluster left by a finished run: ${dir}`);
    try {
      await stopCluster(dir);
    } catch (err) {
      console.error(`[cluster] could not clean ${dir}: ${(err as Error).message}`);
    }
  }
}

/** The cluster KUBECONFIG points at, when it answers; undefined otherwise. */
async function reachableKubeconfig(): Promise<ProvidedCluster | undefined> {
  const file = process.env.KUBECONFIG;
  if (!file || file.includes(path.delimiter) || !fs.existsSync(file)) return undefined;
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
    await kc.makeApiClient(VersionApi).getCode();
  } catch {
    console.log(`[cluster] KUBECONFIG=${file} does not answer; starting a local cluster`);
    return undefined;
  }
  // A cluster of this harness (cluster:up) keeps its state beside the kubeconfig.
  const dir = path.dirname(path.resolve(file));
  const state = readState(dir);
  return {
    kubeconfigPath: path.resolve(file),
    server: kc.getCurrentCluster()?.server ?? "",
    binDir: state?.binDir ?? defaultBinDir(),
    ...(state ? { dir, auditLogPath: path.join(dir, "audit.log") } : {}),
  };
}

function exportToTests(project: TestProject, cluster: ProvidedCluster): void {
  project.provide("cluster", cluster);
  process.env.KUBECONFIG = cluster.kubeconfigPath;
  if (cluster.dir) process.env.TENANT_OPERATOR_CLUSTER_DIR = cluster.dir;
  if (cluster.auditLogPath) process.env.TENANT_OPERATOR_AUDIT_LOG = cluster.auditLogPath;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const reused = await reachableKubeconfig();
  if (reused) {
    console.log(
      `[cluster] reusing the cluster of KUBECONFIG=${reused.kubeconfigPath} (${reused.server})`,
    );
    exportToTests(project, reused);
    return async () => {};
  }
  await sweepStaleRuns();
  const dir = path.join(RUNS_DIR, `run-${process.pid}`);
  const log = (line: string): void => console.log(line);
  // The real node is one per machine: when another cluster runs it, this run goes on without
  // (the real-node tests then fail saying so). TENANT_OPERATOR_REAL_NODE=0 skips it.
  const realNode = process.env.TENANT_OPERATOR_REAL_NODE === "0" ? false : "if-free";
  const cluster = await startCluster({ dir, ownerPid: process.pid, realNode, log });
  exportToTests(project, {
    kubeconfigPath: cluster.kubeconfigPath,
    server: cluster.server,
    binDir: cluster.binDir,
    dir: cluster.dir,
    auditLogPath: cluster.auditLogPath,
  });
  return async () => {
    await cluster.stop();
  };
}
