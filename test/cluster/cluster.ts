// The local control plane as a programmatic API: start, stop, and the disruptions the
// reliability tests need (restart the API server, pause etcd). Used by cli.ts (cluster:up
// and cluster:down), the vitest global setup and the demo.
//
// Every process is a detached daemon recorded in <dir>/state.json, so any process (a test
// worker, a later `cluster:down`) can act on the cluster through attachCluster(dir).
import fs from "node:fs";
import path from "node:path";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { ensureBinaries } from "./build.js";
import {
  AUDIT_POLICY,
  COMPONENTS,
  clusterFiles,
  KUBERNETES_SERVICE_IP,
  KWOK_NODE_ANNOTATION,
  commandFor,
  podReachableAddress,
  type ComponentName,
  type Ports,
} from "./components.js";
import { startEdge, stopEdge } from "./edge/edge.js";
import { CLUSTER_SRC_DIR, defaultBinDir } from "./manifest.js";
import { KWOK_TAINT } from "./node-config.js";
import { RealNodeBusyError } from "./node-lock.js";
import { startRealNode, stopRealNode } from "./node.js";
import { adminKubeconfig, createPki, pkiPaths } from "./pki.js";
import { freePorts, isAlive, pauseProcess, signal, spawnDaemon, stopProcess } from "./processes.js";
import { answers200, nodesReady, waitFor, type TlsClient, type Watched } from "./readiness.js";
import { readState, stateFile, writeState, type ClusterState } from "./state.js";

/** `.local/cluster` at the repository root: the cluster of `npm run cluster:up`. */
export const DEFAULT_DIR = path.resolve(CLUSTER_SRC_DIR, "..", "..", ".local", "cluster");

export interface StartOptions {
  /** State directory (kubeconfig, logs, data); default `.local/cluster`. */
  dir?: string;
  binDir?: string;
  /** Number of kwok nodes (default 3). */
  nodes?: number;
  /** Only etcd and the API server: for tests that disrupt their own cluster. */
  minimal?: boolean;
  /**
   * Start the real node (node.ts) beside the kwok nodes: true (default unless minimal) fails
   * when another cluster on this machine runs the real node; "if-free" then starts without.
   */
  realNode?: boolean | "if-free";
  /** Pid of the process the cluster belongs to, so stale clusters can be swept. */
  ownerPid?: number;
  /** Progress lines; default: none. */
  log?: (line: string) => void;
  /** Also start the edge (DNS server, cert-manager, external-dns, Traefik): see edge/edge.ts. */
  edge?: boolean;
}

export interface Cluster {
  dir: string;
  binDir: string;
  server: string;
  kubeconfigPath: string;
  auditLogPath: string;
  logsDir: string;
  nodeNames: string[];
  /** Whether the cluster runs the real node (test/cluster/node.ts). */
  hasRealNode: boolean;
  /** A client-node KubeConfig loaded from the admin kubeconfig. */
  kubeConfig(): KubeConfig;
  /** Stops every process of the cluster (TERM, then KILL) and removes its directory. */
  stop(): Promise<void>;
  /** Stops the API server and starts it again on the same port and data; waits for /readyz. */
  restartApiServer(): Promise<void>;
  /**
   * Freezes etcd (SIGSTOP, returning once all its threads have stopped): API requests that
   * need storage hang until resumeEtcd().
   */
  pauseEtcd(): void;
  resumeEtcd(): void;
}

const TIMEOUTS = { etcd: 30_000, apiserver: 120_000, controllers: 120_000, nodes: 120_000 };

/**
 * Starts a cluster in `dir`. A cluster already recorded there is stopped first (so a
 * crashed or half-started one is cleaned up); use attachCluster to reuse a running one.
 */
export async function startCluster(opts: StartOptions = {}): Promise<Cluster> {
  const dir = path.resolve(opts.dir ?? DEFAULT_DIR);
  const log = opts.log ?? (() => {});
  const binDir = await ensureBinaries({ binDir: opts.binDir ?? defaultBinDir(), log });
  if (await stopCluster(dir)) log(`[cluster] stopped and removed the previous cluster in ${dir}`);
  for (let attempt = 1; ; attempt++) {
    const state = await newState(dir, binDir, opts);
    try {
      await bringUp(state, opts, log);
      if (opts.edge && opts.minimal !== true) {
        const f = clusterFiles(dir);
        await startEdge({ dir, binDir, kubeconfig: f.kubeconfig, logsDir: f.logsDir, log });
      }
      return attachCluster(dir);
    } catch (err) {
      await stopProcesses(state);
      // A port found free can be taken by someone else before our daemon binds it
      // (other clusters start on this machine too): start over on new ports.
      if (attempt < START_ATTEMPTS && /address already in use/.test((err as Error).message)) {
        log(`[cluster] a port was taken meanwhile; starting again on new ports`);
        fs.rmSync(dir, { recursive: true, force: true });
        continue;
      }
      log(`[cluster] start failed, logs are in ${clusterFiles(dir).logsDir}`);
      throw err;
    }
  }
}

const START_ATTEMPTS = 3;

/** Chooses free ports and records an empty cluster in `dir` (before any process starts). */
async function newState(dir: string, binDir: string, opts: StartOptions): Promise<ClusterState> {
  fs.mkdirSync(clusterFiles(dir).logsDir, { recursive: true });
  const [etcdClient, etcdPeer, apiserver, controllerManager, scheduler] = await freePorts(5);
  const ports = { etcdClient, etcdPeer, apiserver, controllerManager, scheduler } as Ports;
  const state: ClusterState = {
    dir,
    binDir,
    server: `https://127.0.0.1:${ports.apiserver}`,
    ports,
    nodeNames: Array.from({ length: opts.nodes ?? 3 }, (_, i) => `kwok-node-${i}`),
    startedAt: new Date().toISOString(),
    components: {},
    ...(opts.ownerPid !== undefined ? { ownerPid: opts.ownerPid } : {}),
  };
  writeState(state);
  return state;
}

async function bringUp(
  state: ClusterState,
  opts: StartOptions,
  log: (l: string) => void,
): Promise<void> {
  const minimal = opts.minimal === true;
  const f = clusterFiles(state.dir);
  const pki = createPki(f.pkiDir, KUBERNETES_SERVICE_IP);
  fs.writeFileSync(f.kubeconfig, adminKubeconfig(pki, state.server), { mode: 0o600 });
  fs.writeFileSync(f.auditPolicy, AUDIT_POLICY);
  fs.copyFileSync(path.join(CLUSTER_SRC_DIR, "kwok", "stages.yaml"), f.kwokStages);
  fs.mkdirSync(f.kwokHome, { recursive: true });
  const started = Date.now();
  const step = (msg: string): void =>
    log(`[cluster] ${msg} (${((Date.now() - started) / 1000).toFixed(1)}s)`);

  const etcd = launch(state, "etcd");
  await waitFor(
    "etcd /health",
    () => answers200(`http://127.0.0.1:${state.ports.etcdClient}/health`, {}, '"true"'),
    TIMEOUTS.etcd,
    [etcd],
  );
  step(`etcd ready on 127.0.0.1:${state.ports.etcdClient}`);
  const api = launch(state, "kube-apiserver");
  await waitForApiServer(state, [etcd, api]);
  step(`kube-apiserver ready at ${state.server}`);
  if (minimal) return;

  const others = (["kube-controller-manager", "kube-scheduler", "kwok"] as const).map((c) =>
    launch(state, c),
  );
  const all = [etcd, api, ...others];
  const kc = loadKubeConfig(f.kubeconfig);
  await createFakeNodes(kc, state.nodeNames);
  const insecure = { ca: undefined } satisfies TlsClient;
  await waitFor(
    "kube-controller-manager /healthz",
    () => answers200(`https://127.0.0.1:${state.ports.controllerManager}/healthz`, insecure),
    TIMEOUTS.controllers,
    all,
  );
  await waitFor(
    "kube-scheduler /healthz",
    () => answers200(`https://127.0.0.1:${state.ports.scheduler}/healthz`, insecure),
    TIMEOUTS.controllers,
    all,
  );
  // The "default" ServiceAccount is made by a controller-manager controller: pods need it.
  const core = kc.makeApiClient(CoreV1Api);
  await waitFor(
    "ServiceAccount default/default",
    async () =>
      !!(await core.readNamespacedServiceAccount({ name: "default", namespace: "default" })),
    TIMEOUTS.controllers,
    all,
  );
  step("kube-controller-manager and kube-scheduler healthy");
  await waitFor(
    `${state.nodeNames.length} kwok nodes Ready`,
    () => nodesReady(kc, state.nodeNames),
    TIMEOUTS.nodes,
    all,
  );
  step(`${state.nodeNames.length} kwok nodes Ready`);
  const realNode = opts.realNode ?? true;
  if (realNode === false) return;
  try {
    await startRealNode(state, kc, log);
    step(`real node Ready (containerd, kubelet, kube-proxy, volume provisioner)`);
  } catch (err) {
    if (!(realNode === "if-free" && err instanceof RealNodeBusyError)) throw err;
    log(`[cluster] NO REAL NODE in this cluster: ${err.message}`);
  }
}

function launch(state: ClusterState, name: ComponentName): Watched {
  const f = clusterFiles(state.dir);
  const cmd = commandFor(name, {
    dir: state.dir,
    binDir: state.binDir,
    ports: state.ports,
    advertiseAddress: podReachableAddress(),
  });
  const logFile = path.join(f.logsDir, `${name}.log`);
  const env = cmd.env ? { ...process.env, ...cmd.env } : process.env;
  const pid = spawnDaemon(cmd.command, cmd.args, logFile, env);
  state.components[name] = {
    pid,
    command: cmd.command,
    args: cmd.args,
    logFile,
    ...(cmd.env ? { env: cmd.env } : {}),
  };
  writeState(state);
  return { name, pid, logFile };
}

function adminTls(dir: string): TlsClient {
  const pki = pkiPaths(clusterFiles(dir).pkiDir);
  return {
    ca: fs.readFileSync(pki.caCert),
    cert: fs.readFileSync(pki.adminCert),
    key: fs.readFileSync(pki.adminKey),
  };
}

async function waitForApiServer(state: ClusterState, watched: Watched[]): Promise<void> {
  const tls = adminTls(state.dir);
  await waitFor(
    "kube-apiserver /readyz",
    () => answers200(`${state.server}/readyz`, tls, "ok"),
    TIMEOUTS.apiserver,
    watched,
  );
}

function loadKubeConfig(file: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(file);
  return kc;
}

/** Creates the Node objects kwok simulates (kwok fills in their status). */
async function createFakeNodes(kc: KubeConfig, names: string[]): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  for (const name of names) {
    await core.createNode({
      body: {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name,
          annotations: { [KWOK_NODE_ANNOTATION]: "fake" },
          labels: {
            type: "kwok",
            "kubernetes.io/hostname": name,
            "kubernetes.io/os": "linux",
            "kubernetes.io/arch": "amd64",
          },
        },
        // Pods go to the real node unless they tolerate this (README: "Pod placement").
        spec: { taints: [KWOK_TAINT] },
      },
    });
  }
}

/** Stops the recorded processes, last started first (the real node first); the state file stays. */
async function stopProcesses(state: ClusterState): Promise<void> {
  await stopEdge(state.dir);
  const api = state.components["kube-apiserver"];
  const kc =
    api && isAlive(api.pid) ? loadKubeConfig(clusterFiles(state.dir).kubeconfig) : undefined;
  const node = await stopRealNode(state, kc).then(
    () => undefined,
    (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
  );
  for (const name of [...COMPONENTS].reverse()) {
    const c = state.components[name];
    if (c) await stopProcess(c.pid, c.command);
  }
  if (node) throw node;
}

/**
 * Stops the cluster recorded in `dir` (if any) and removes the directory. Returns whether
 * there was one. Refuses to delete a non-empty directory that holds no cluster state.
 */
export async function stopCluster(dir: string): Promise<boolean> {
  const state = readState(dir);
  if (!state) {
    if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0 && !fs.existsSync(stateFile(dir))) {
      throw new Error(`${dir} is not empty and holds no cluster state.json: not touching it`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
    return false;
  }
  await stopProcesses(state);
  fs.rmSync(dir, { recursive: true, force: true });
  return true;
}

/** True when every process recorded in `dir` runs and the API server answers /readyz. */
export async function isClusterHealthy(dir: string): Promise<boolean> {
  const state = readState(dir);
  if (!state || Object.keys(state.components).length === 0) return false;
  if (!Object.values(state.components).every((c) => isAlive(c.pid))) return false;
  if (state.node && !Object.values(state.node.processes).every((c) => isAlive(c.pid))) return false;
  try {
    return await answers200(`${state.server}/readyz`, adminTls(dir), "ok");
  } catch {
    return false;
  }
}

/** A handle on the cluster recorded in `dir` (started by this or another process). */
export function attachCluster(dir: string = DEFAULT_DIR): Cluster {
  dir = path.resolve(dir);
  const initial = readState(dir);
  if (!initial)
    throw new Error(`no cluster state in ${dir}: start one with \`npm run cluster:up\``);
  const f = clusterFiles(dir);
  const current = (): ClusterState => readState(dir) ?? initial;
  const pidOf = (name: ComponentName): number => {
    const c = current().components[name];
    if (!c) throw new Error(`${name} is not part of the cluster in ${dir}`);
    return c.pid;
  };
  return {
    dir,
    binDir: initial.binDir,
    server: initial.server,
    kubeconfigPath: f.kubeconfig,
    auditLogPath: f.auditLog,
    logsDir: f.logsDir,
    nodeNames: initial.nodeNames,
    hasRealNode: initial.node !== undefined,
    kubeConfig: () => loadKubeConfig(f.kubeconfig),
    stop: async () => {
      await stopCluster(dir);
    },
    restartApiServer: async () => {
      const state = current();
      const old = state.components["kube-apiserver"];
      if (!old) throw new Error(`no kube-apiserver in ${dir}`);
      await stopProcess(old.pid, old.command);
      const api = launch(state, "kube-apiserver");
      const etcd = { name: "etcd", pid: pidOf("etcd"), logFile: path.join(f.logsDir, "etcd.log") };
      await waitForApiServer(state, [etcd, api]);
    },
    pauseEtcd: () => pauseProcess(pidOf("etcd")),
    resumeEtcd: () => signal(pidOf("etcd"), "SIGCONT"),
  };
}
