/**
 * The cluster bench:operator runs on: the one KUBECONFIG names when it answers (nothing is
 * started or stopped then), else a fresh local control plane of our own (test/cluster) in
 * .local/bench-cluster/run-<pid>, stopped at the end. Then installs what the run needs: the
 * Tenant CRD (from crds/) and the bench's StorageClass.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import {
  KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
  VersionApi,
} from "@kubernetes/client-node";
import { startCluster, stopCluster } from "../../test/cluster/cluster.js";
import { kubectlAt } from "../../test/cluster/kubectl.js";
import { isAlive } from "../../test/cluster/processes.js";
import { readState } from "../../test/cluster/state.js";
import { defaultBinDir } from "../../test/cluster/manifest.js";
import { CRD_NAME } from "../../operator/api/types.js";
import { REPO } from "../lib/build.js";
import { BENCH_STORAGE_CLASS, isConflictError } from "./fixtures.js";

export interface BenchCluster {
  kubeconfigPath: string;
  kc: KubeConfig;
  /** kubectl of the cluster's Kubernetes version (the harness builds it), else from PATH. */
  kubectl: string;
  /** The API server's audit log (writes only), when the cluster is our own. */
  auditLogPath?: string;
  /** "local control plane (test/cluster), started for this run" or "KUBECONFIG=...". */
  description: string;
  stop(): Promise<void>;
}

async function reachable(file: string): Promise<KubeConfig | undefined> {
  const kc = new KubeConfig();
  try {
    kc.loadFromFile(file);
    await kc.makeApiClient(VersionApi).getCode();
    return kc;
  } catch {
    return undefined;
  }
}

const RUNS_DIR = join(REPO, ".local", "bench-cluster");

/** Stops clusters left by bench runs that died (killed, timed out): their owner pid is gone. */
async function sweepStaleRuns(log: (line: string) => void): Promise<void> {
  if (!existsSync(RUNS_DIR)) return;
  for (const entry of readdirSync(RUNS_DIR)) {
    const dir = join(RUNS_DIR, entry);
    const owner = readState(dir)?.ownerPid;
    if (owner !== undefined && isAlive(owner)) continue;
    log(`removing the cluster left by an earlier bench run: ${dir}`);
    await stopCluster(dir).catch((error: unknown) =>
      log(`could not clean ${dir}: ${String(error)}`),
    );
  }
}

export async function acquireCluster(log: (line: string) => void): Promise<BenchCluster> {
  const file = process.env.KUBECONFIG;
  if (file && !file.includes(":")) {
    const kc = await reachable(file);
    if (kc) {
      const cached = join(defaultBinDir(), "kubectl");
      const kubectl = existsSync(cached) ? cached : "kubectl";
      const description = `KUBECONFIG=${file}`;
      return { kubeconfigPath: file, kc, kubectl, description, stop: async () => {} };
    }
    log(`KUBECONFIG=${file} does not answer; starting a local control plane`);
  }
  await sweepStaleRuns(log);
  const dir = join(RUNS_DIR, `run-${process.pid}`);
  const cluster = await startCluster({
    dir,
    ownerPid: process.pid,
    nodes: 3,
    // Benchmarks run thousands of tenants: kwok only (README "Pod placement").
    realNode: false,
    log,
  });
  return {
    kubeconfigPath: cluster.kubeconfigPath,
    kc: cluster.kubeConfig(),
    kubectl: join(cluster.binDir, "kubectl"),
    auditLogPath: cluster.auditLogPath,
    description:
      "local control plane (test/cluster: etcd, kube-apiserver, controller-manager, scheduler, kwok with 3 nodes), started for this run",
    stop: () => cluster.stop(),
  };
}

async function createIgnoringConflict(
  api: KubernetesObjectApi,
  object: KubernetesObject,
): Promise<void> {
  try {
    await api.create(object);
  } catch (error) {
    if (!isConflictError(error)) throw error;
  }
}

/**
 * Installs the Tenant CRD (kubectl server-side apply: client-node's typed serializer would drop
 * the schema's x-kubernetes-* keys) and the bench StorageClass; waits until the CRD is served.
 */
export async function prepareCluster(cluster: BenchCluster): Promise<void> {
  const kubectl = (args: string[]): string =>
    execFileSync(cluster.kubectl, [`--kubeconfig=${cluster.kubeconfigPath}`, ...args], {
      encoding: "utf8",
      timeout: 120_000,
      stdio: ["ignore", "pipe", "pipe"],
    });
  kubectl(["apply", "--server-side", "--force-conflicts", "-f", join(REPO, "crds")]);
  // kubectlAt: a wait on a CRD whose status has no conditions yet is tried again.
  const established = await kubectlAt(
    dirname(cluster.kubectl),
    cluster.kubeconfigPath,
    ["wait", "--for=condition=Established", "--timeout=60s", `crd/${CRD_NAME}`],
    undefined,
    70_000,
  );
  if (established.code !== 0)
    throw new Error(`the Tenant CRD is not Established: ${established.stderr}`);
  await createIgnoringConflict(KubernetesObjectApi.makeApiClient(cluster.kc), {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: BENCH_STORAGE_CLASS },
    provisioner: "kubernetes.io/no-provisioner",
    volumeBindingMode: "Immediate",
  } as KubernetesObject);
  // The REST endpoint can lag Established by a moment.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      kubectl(["get", "tenants", "--request-timeout=5s"]);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
