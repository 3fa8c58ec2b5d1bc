// The real node's configuration as pure functions of its layout: containerd's config.toml,
// the CNI network, and the kubelet's and kube-proxy's configuration files. No I/O here, so
// what the node runs with is easy to read in one place (node.ts writes and starts them).
import path from "node:path";

/** The Node object of the real node (kubelet --hostname-override). */
export const REAL_NODE_NAME = "real-node";
/** Labels of the real node; the kwok nodes carry `type: kwok` instead. */
export const REAL_NODE_LABELS: Readonly<Record<string, string>> = { type: "real" };
/** Taint on every kwok node: only pods that tolerate it (scale tests, benchmarks) go there. */
export const KWOK_TAINT = { key: "kwok.x-k8s.io/node", value: "fake", effect: "NoSchedule" };
/**
 * The operator flags that put tenant pods on the kwok nodes (README "Pod placement"): for the
 * tests that make many tenants and the benchmarks. Without them a tenant's pod runs on the
 * real node.
 */
export const KWOK_PLACEMENT_FLAGS: readonly string[] = [
  "--pod-node-selector=type=kwok",
  `--pod-tolerations=${KWOK_TAINT.key}=${KWOK_TAINT.value}:${KWOK_TAINT.effect}`,
];
/** The CNI bridge and its subnet: the real node's pods get addresses here. */
export const CNI_BRIDGE = "tenantop0";
export const CNI_NETWORK = "tenant-operator";
export const POD_SUBNET = "10.89.0.0/24";
/** The bridge's own address on the host: what a pod reaches the host at. */
export const POD_GATEWAY = "10.89.0.1";
/** The sandbox image containerd runs for every pod, built locally (pause-image.ts). */
export const PAUSE_IMAGE = "tenant-operator.local/pause:1";
/** Debian's containernetworking-plugins. */
export const CNI_BIN_DIR = "/usr/lib/cni";

export interface NodePorts {
  kubelet: number;
  kubeletHealthz: number;
  proxyHealthz: number;
  proxyMetrics: number;
}

export interface NodeFiles {
  root: string;
  containerdConfig: string;
  containerdRoot: string;
  containerdState: string;
  containerdSocket: string;
  cniConfDir: string;
  cniIpamDir: string;
  kubeletDir: string;
  kubeletConfig: string;
  kubeletKubeconfig: string;
  podLogsDir: string;
  proxyConfig: string;
  proxyKubeconfig: string;
  volumesDir: string;
  imagesDir: string;
}

export function nodeFiles(clusterDir: string): NodeFiles {
  const root = path.join(clusterDir, "node");
  const p = (...parts: string[]): string => path.join(root, ...parts);
  return {
    root,
    containerdConfig: p("containerd", "config.toml"),
    containerdRoot: p("containerd", "root"),
    containerdState: p("containerd", "state"),
    containerdSocket: p("containerd", "containerd.sock"),
    cniConfDir: p("cni", "net.d"),
    cniIpamDir: p("cni", "ipam"),
    kubeletDir: p("kubelet"),
    kubeletConfig: p("kubelet-config.yaml"),
    kubeletKubeconfig: p("kubelet.kubeconfig"),
    podLogsDir: p("pod-logs"),
    proxyConfig: p("kube-proxy-config.yaml"),
    proxyKubeconfig: p("kube-proxy.kubeconfig"),
    volumesDir: p("volumes"),
    imagesDir: p("images"),
  };
}

/** containerd 1.6 (config version 2): everything under the cluster dir, CRI for the kubelet. */
export function containerdConfig(f: NodeFiles): string {
  const cri = 'plugins."io.containerd.grpc.v1.cri"';
  return `version = 2
root = ${JSON.stringify(f.containerdRoot)}
state = ${JSON.stringify(f.containerdState)}
# Snapshotters this machine cannot use only log errors at start-up.
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = ${JSON.stringify(f.containerdSocket)}

[plugins."io.containerd.internal.v1.opt"]
  path = ${JSON.stringify(path.join(f.containerdRoot, "opt"))}

[${cri}]
  # No registry is reachable: the sandbox image is built here and imported.
  sandbox_image = ${JSON.stringify(PAUSE_IMAGE)}
  # Root here lacks CAP_SYS_RESOURCE: the kubelet asks for oom_score_adj -998 for sandboxes and
  # runc fails ("can't get final child's PID from pipe: EOF") unless containerd clamps it.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  [${cri}.containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [${cri}.containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [${cri}.containerd.runtimes.runc.options]
        SystemdCgroup = false
  [${cri}.cni]
    bin_dir = ${JSON.stringify(CNI_BIN_DIR)}
    conf_dir = ${JSON.stringify(f.cniConfDir)}
    max_conf_num = 1
`;
}

/** One bridge network with host-local addresses (state kept under the cluster dir) and hostPorts. */
export function cniConflist(f: NodeFiles): string {
  return (
    JSON.stringify(
      {
        cniVersion: "0.4.0",
        name: CNI_NETWORK,
        plugins: [
          {
            type: "bridge",
            bridge: CNI_BRIDGE,
            isGateway: true,
            ipMasq: true,
            hairpinMode: true,
            ipam: {
              type: "host-local",
              ranges: [[{ subnet: POD_SUBNET, gateway: POD_GATEWAY }]],
              routes: [{ dst: "0.0.0.0/0" }],
              dataDir: f.cniIpamDir,
            },
          },
          { type: "portmap", capabilities: { portMappings: true } },
        ],
      },
      null,
      2,
    ) + "\n"
  );
}

export interface KubeletInputs {
  files: NodeFiles;
  ports: NodePorts;
  nodeIp: string;
  caCert: string;
}

/**
 * The kubelet's configuration. This machine has a v1 cgroup hierarchy and no systemd: the
 * cgroupfs driver and failCgroupV1: false (1.35 refuses v1 without it). Image garbage
 * collection is off: nothing here can pull an image back once it is gone.
 */
export function kubeletConfig({ files, ports, nodeIp, caCert }: KubeletInputs): string {
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: ${nodeIp}
port: ${ports.kubelet}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
healthzPort: ${ports.kubeletHealthz}
containerRuntimeEndpoint: unix://${files.containerdSocket}
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
podLogsDir: ${files.podLogsDir}
authentication:
  anonymous: { enabled: false }
  webhook: { enabled: true }
  x509: { clientCAFile: ${caCert} }
authorization:
  mode: Webhook
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "1%"
  imagefs.available: "1%"
  nodefs.inodesFree: "1%"
serializeImagePulls: false
maxPods: 30
`;
}

export function kubeletArgs(i: KubeletInputs): string[] {
  const labels = Object.entries(REAL_NODE_LABELS).map(([k, v]) => `${k}=${v}`);
  return [
    `--config=${i.files.kubeletConfig}`,
    `--kubeconfig=${i.files.kubeletKubeconfig}`,
    `--root-dir=${i.files.kubeletDir}`,
    `--hostname-override=${REAL_NODE_NAME}`,
    `--node-ip=${i.nodeIp}`,
    `--node-labels=${labels.join(",")}`,
    "--v=1",
  ];
}

export function kubeProxyConfig(files: NodeFiles, ports: NodePorts): string {
  return `apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
hostnameOverride: ${REAL_NODE_NAME}
clusterCIDR: ${POD_SUBNET}
clientConnection:
  kubeconfig: ${files.proxyKubeconfig}
healthzBindAddress: 127.0.0.1:${ports.proxyHealthz}
metricsBindAddress: 127.0.0.1:${ports.proxyMetrics}
# Leave the machine's conntrack table size and timeouts as they are.
conntrack:
  maxPerCore: 0
  min: 0
  tcpEstablishedTimeout: 0s
  tcpCloseWaitTimeout: 0s
`;
}
