// The real node of the local cluster: containerd (Debian's, with runc and the CNI plugins),
// the kubelet and kube-proxy (built from the API server's k8s.io/kubernetes module), all as
// daemons under <cluster dir>/node/, plus our volume provisioner (provisioner.ts). Stopping it
// drains the node through the kubelet (so CNI tears each pod's network down), cleans
// kube-proxy's chains, and then removes whatever is left (node-cleanup.ts).
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import { clusterFiles } from "./components.js";
import {
  PAUSE_IMAGE,
  REAL_NODE_NAME,
  cniConflist,
  containerdConfig,
  kubeProxyConfig,
  kubeletArgs,
  kubeletConfig,
  nodeFiles,
  type KubeletInputs,
  type NodeFiles,
} from "./node-config.js";
import { ensureImage } from "./image.js";
import { describeLeftovers, forceCleanup, leftovers } from "./node-cleanup.js";
import { acquireNodeLock, releaseNodeLock } from "./node-lock.js";
import { buildPauseImage } from "./pause-image.js";
import { clientKubeconfig, issueClientCert, pkiPaths } from "./pki.js";
import { freePorts, isAlive, spawnDaemon, stopProcess } from "./processes.js";
import { answers200, nodesReady, waitFor, type Watched } from "./readiness.js";
import { writeState, type ClusterState, type NodeProcessName, type NodeState } from "./state.js";

export { REAL_NODE_NAME } from "./node-config.js";

/** Debian packages the real node needs (scripts/test.sh and scripts/demo.sh install them). */
export const NODE_PACKAGES = ["containerd", "runc", "containernetworking-plugins", "iptables"];

const TIMEOUTS = { containerd: 30_000, node: 120_000 };
const PROVISIONER_ENTRY = path.join(import.meta.dirname, "provisioner-main.ts");
// tsx's loader as a file URL: import.meta.resolve is not available under vitest's module runner.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

/** The address the kubelet registers (the host's first non-loopback IPv4; loopback is refused). */
export function hostIp(): string {
  for (const addrs of Object.values(os.networkInterfaces()))
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  throw new Error("the real node needs a non-loopback IPv4 address on this machine; found none");
}

function missingTools(): string[] {
  const need = ["containerd", "containerd-shim-runc-v2", "runc", "ctr", "iptables", "ip"];
  return need.filter((t) => spawnSync("sh", ["-c", `command -v ${t}`]).status !== 0);
}

function launchNode(
  state: ClusterState,
  name: NodeProcessName,
  command: string,
  args: string[],
): Watched {
  const logFile = path.join(clusterFiles(state.dir).logsDir, `${name}.log`);
  const pid = spawnDaemon(command, args, logFile);
  state.node!.processes[name] = { pid, command, args, logFile };
  writeState(state);
  return { name, pid, logFile };
}

/** `ctr` against the node's containerd, in the kubelet's (CRI) namespace. */
export function ctr(dir: string, args: string[]): string {
  const f = nodeFiles(dir);
  return execFileSync("ctr", ["--address", f.containerdSocket, "--namespace", "k8s.io", ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * Imports an image archive (docker-archive or OCI layout tarball) into the node's containerd,
 * where the kubelet finds it: tenant pods then start it with imagePullPolicy IfNotPresent.
 */
export function importImage(dir: string, archive: string): void {
  ctr(dir, ["images", "import", "--no-unpack=false", archive]);
}

/**
 * The name the operator gives tenant pods when neither the Tenant nor `--default-image` names
 * an image (operator/config.ts): the built image is tagged with it too, as `kind load` users
 * do, so a default operator's tenants run the image built from our Dockerfile.
 */
export const OPERATOR_DEFAULT_IMAGE = "docker.io/library/tenant-service:latest";

/**
 * Builds the image from our Dockerfile when its inputs changed (scripts/build-image.sh via
 * image.ts, cached) and imports it into the node's containerd under its own name and the
 * operator's default one. Returns its own name.
 */
export async function importTenantImage(dir: string, log: (line: string) => void): Promise<string> {
  const built = await ensureImage({ log: (line) => log(`[image] ${line}`) });
  importImage(dir, built.archive);
  ctr(dir, ["images", "tag", "--force", built.image, OPERATOR_DEFAULT_IMAGE]);
  return built.image;
}

/** The names of the images the node's containerd holds. */
export function nodeImages(dir: string): string[] {
  return ctr(dir, ["images", "list", "--quiet"]).split("\n").filter(Boolean);
}

function writeNodeFiles(state: ClusterState, f: NodeFiles, inputs: KubeletInputs): void {
  const pki = pkiPaths(clusterFiles(state.dir).pkiDir);
  for (const d of [f.containerdRoot, f.containerdState, f.cniConfDir, f.cniIpamDir, f.kubeletDir])
    fs.mkdirSync(d, { recursive: true });
  fs.mkdirSync(f.podLogsDir, { recursive: true });
  fs.mkdirSync(f.volumesDir, { recursive: true });
  fs.mkdirSync(f.imagesDir, { recursive: true });
  fs.writeFileSync(f.containerdConfig, containerdConfig(f));
  fs.writeFileSync(path.join(f.cniConfDir, "10-tenant-operator.conflist"), cniConflist(f));
  fs.writeFileSync(f.kubeletConfig, kubeletConfig(inputs));
  fs.writeFileSync(f.proxyConfig, kubeProxyConfig(f, inputs.ports));
  const pkiDir = clusterFiles(state.dir).pkiDir;
  const kubelet = issueClientCert(
    pkiDir,
    "kubelet",
    `/O=system:nodes/CN=system:node:${REAL_NODE_NAME}`,
  );
  fs.writeFileSync(f.kubeletKubeconfig, clientKubeconfig(pki.caCert, kubelet, state.server));
  const proxy = issueClientCert(pkiDir, "kube-proxy", "/CN=system:kube-proxy");
  fs.writeFileSync(f.proxyKubeconfig, clientKubeconfig(pki.caCert, proxy, state.server));
}

/**
 * Starts the real node of the cluster in `state` (its control plane already runs) and waits
 * until the Node is Ready and the pause image is in containerd. Takes the machine's node lock.
 */
export async function startRealNode(
  state: ClusterState,
  kc: KubeConfig,
  log: (line: string) => void,
): Promise<void> {
  const missing = missingTools();
  if (missing.length > 0) {
    throw new Error(
      `the real node needs ${missing.join(", ")} on PATH: install Debian's ${NODE_PACKAGES.join(" ")} (scripts/test.sh does)`,
    );
  }
  const f = nodeFiles(state.dir);
  const { staleHolder } = acquireNodeLock(state.dir);
  if (staleHolder) log(`[node] taking over the real-node lock of ${staleHolder} (not running)`);
  // A node that died without stopping (or one of a removed cluster) may have left pods.
  const before = forceCleanup(f);
  if (describeLeftovers(before)) throw new Error(`cannot clean up: ${describeLeftovers(before)}`);
  const [kubelet, kubeletHealthz, proxyHealthz, proxyMetrics] = await freePorts(4);
  const ports = { kubelet, kubeletHealthz, proxyHealthz, proxyMetrics } as NodeState["ports"];
  const nodeIp = hostIp();
  state.node = { nodeIp, ports, processes: {} };
  writeState(state);
  const inputs: KubeletInputs = {
    files: f,
    ports,
    nodeIp,
    caCert: pkiPaths(clusterFiles(state.dir).pkiDir).caCert,
  };
  writeNodeFiles(state, f, inputs);
  // Pods on the bridge reach Services and the host through the host: forwarding must be on.
  fs.writeFileSync("/proc/sys/net/ipv4/ip_forward", "1");

  const containerd = launchNode(state, "containerd", "containerd", [
    `--config=${f.containerdConfig}`,
  ]);
  await waitFor(
    "containerd",
    async () => (ctr(state.dir, ["version"]), true),
    TIMEOUTS.containerd,
    [containerd],
  );
  const pause = buildPauseImage(path.join(state.binDir, "pause"), PAUSE_IMAGE, f.imagesDir);
  importImage(state.dir, pause);
  log(`[node] containerd up, pause image ${PAUSE_IMAGE} imported`);
  const image = await importTenantImage(state.dir, log);
  log(`[node] image ${image} (also ${OPERATOR_DEFAULT_IMAGE}) imported`);

  const kubeletProc = launchNode(
    state,
    "kubelet",
    path.join(state.binDir, "kubelet"),
    kubeletArgs(inputs),
  );
  const proxy = launchNode(state, "kube-proxy", path.join(state.binDir, "kube-proxy"), [
    `--config=${f.proxyConfig}`,
  ]);
  const watched = [containerd, kubeletProc, proxy];
  await waitFor(
    `node ${REAL_NODE_NAME} Ready`,
    () => nodesReady(kc, [REAL_NODE_NAME]),
    TIMEOUTS.node,
    watched,
  );
  await waitFor(
    "kube-proxy /healthz",
    () => answers200(`http://127.0.0.1:${ports.proxyHealthz}/healthz`),
    TIMEOUTS.node,
    watched,
  );
  const provisioner = launchNode(state, "provisioner", process.execPath, [
    "--import",
    TSX_LOADER,
    PROVISIONER_ENTRY,
    `--kubeconfig=${clusterFiles(state.dir).kubeconfig}`,
    `--root=${f.volumesDir}`,
    `--node=${REAL_NODE_NAME}`,
  ]);
  await waitFor(
    "the volume provisioner",
    async () => fs.readFileSync(provisioner.logFile, "utf8").includes("provisioner ready"),
    30_000,
    [provisioner],
  );
}

/** The pods bound to the real node (any phase). */
async function podsOnNode(core: CoreV1Api): Promise<{ name: string; namespace: string }[]> {
  const list = await core.listPodForAllNamespaces({
    fieldSelector: `spec.nodeName=${REAL_NODE_NAME}`,
  });
  return list.items.map((p) => ({ name: p.metadata!.name!, namespace: p.metadata!.namespace! }));
}

/**
 * Drains the node through the kubelet while the API server still runs: cordon, delete its
 * pods, wait until containerd runs no task (every sandbox stopped, its network torn down).
 */
async function drain(state: ClusterState, kc: KubeConfig): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  // client-node sends a JSON patch by default.
  await core.patchNode({
    name: REAL_NODE_NAME,
    body: [{ op: "add", path: "/spec/unschedulable", value: true }],
  });
  for (const pod of await podsOnNode(core)) {
    await core.deleteNamespacedPod({ ...pod, gracePeriodSeconds: 2 }).catch(() => undefined);
  }
  await waitFor(
    "the real node's pods to stop",
    async () =>
      (await podsOnNode(core)).length === 0 &&
      ctr(state.dir, ["tasks", "list", "--quiet"]).trim() === "",
    60_000,
  );
}

/**
 * Stops the real node of `state` (if any): drain (when `kc` reaches the API server), stop
 * kube-proxy and clean its chains, stop the kubelet, containerd and the provisioner, then
 * remove what is left. Throws when something could not be removed.
 */
export async function stopRealNode(
  state: ClusterState,
  kc: KubeConfig | undefined,
  log: (line: string) => void = () => {},
): Promise<void> {
  const node = state.node;
  if (!node) return;
  const f = nodeFiles(state.dir);
  const alive = (n: NodeProcessName): boolean => {
    const p = node.processes[n];
    return !!p && isAlive(p.pid);
  };
  if (kc && alive("kubelet") && alive("containerd")) {
    try {
      await drain(state, kc);
    } catch (err) {
      log(`[node] drain incomplete (${(err as Error).message}); removing what is left`);
    }
  }
  const stop = async (n: NodeProcessName): Promise<void> => {
    const p = node.processes[n];
    if (p) await stopProcess(p.pid, p.command);
  };
  await stop("provisioner");
  await stop("kube-proxy");
  const proxyBin = path.join(state.binDir, "kube-proxy");
  if (fs.existsSync(proxyBin) && fs.existsSync(f.proxyConfig)) {
    spawnSync(proxyBin, [`--config=${f.proxyConfig}`, "--cleanup"], { stdio: "ignore" });
  }
  await stop("kubelet");
  if (alive("containerd")) {
    // Anything the drain did not stop: kill its tasks while containerd can still do it.
    for (const id of safeCtr(state.dir, ["tasks", "list", "--quiet"])) {
      safeCtr(state.dir, ["tasks", "kill", "--signal", "SIGKILL", id]);
    }
  }
  await stop("containerd");
  const left = forceCleanup(f);
  releaseNodeLock(state.dir);
  const text = describeLeftovers(left);
  if (text) throw new Error(`the real node left ${text}`);
}

function safeCtr(dir: string, args: string[]): string[] {
  try {
    return ctr(dir, args).split("\n").filter(Boolean);
  } catch {
    return [];
  }
}

export { leftovers };
