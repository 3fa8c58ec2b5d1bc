// The command lines of the control-plane components, as pure functions of the cluster's
// layout (paths and ports): no I/O here, so what runs is easy to read in one place.
import os from "node:os";
import path from "node:path";
import { pkiPaths } from "./pki.js";

export type ComponentName =
  "etcd" | "kube-apiserver" | "kube-controller-manager" | "kube-scheduler" | "kwok";

/** Every component, in start order (stop in reverse). */
export const COMPONENTS: readonly ComponentName[] = [
  "etcd",
  "kube-apiserver",
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
];

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
}

export interface Layout {
  dir: string;
  binDir: string;
  ports: Ports;
  /** Where pods reach the API server (podReachableAddress()); none: loopback only. */
  advertiseAddress?: string;
}

/** Addresses of the cluster network: only used inside the API server, never bound. */
export const SERVICE_CLUSTER_IP_RANGE = "10.96.0.0/16";
export const KUBERNETES_SERVICE_IP = "10.96.0.1";
export const POD_CIDR = "10.244.0.1/16";
/** The annotation that marks a Node as one kwok simulates. */
export const KWOK_NODE_ANNOTATION = "kwok.x-k8s.io/node";

export interface Files {
  pkiDir: string;
  kubeconfig: string;
  auditLog: string;
  auditPolicy: string;
  etcdData: string;
  kwokStages: string;
  kwokHome: string;
  logsDir: string;
  state: string;
}

export function clusterFiles(dir: string): Files {
  return {
    pkiDir: path.join(dir, "pki"),
    kubeconfig: path.join(dir, "kubeconfig"),
    auditLog: path.join(dir, "audit.log"),
    auditPolicy: path.join(dir, "audit-policy.yaml"),
    etcdData: path.join(dir, "etcd-data"),
    kwokStages: path.join(dir, "kwok-stages.yaml"),
    kwokHome: path.join(dir, "kwok-home"),
    logsDir: path.join(dir, "logs"),
    state: path.join(dir, "state.json"),
  };
}

/** Audit policy: every write (create/update/patch/delete) at Metadata level, nothing else. */
export const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
  # kwok renews each fake node's Lease every few seconds: heartbeats, not writes worth reading.
  - level: None
    resources: [{ group: "coordination.k8s.io", resources: ["leases"] }]
    namespaces: ["kube-node-lease"]
  - level: Metadata
    verbs: ["create", "update", "patch", "delete", "deletecollection"]
  - level: None
`;

export interface Command {
  command: string;
  args: string[];
  /** Extra environment for the process. */
  env?: Record<string, string>;
}

/**
 * The address pods reach the API server at, through the `kubernetes` Service that kube-proxy
 * translates to it (in-cluster clients such as the operator installed by the chart): the
 * host's first non-loopback IPv4. Undefined on a machine without one.
 */
export function podReachableAddress(): string | undefined {
  for (const addrs of Object.values(os.networkInterfaces()))
    for (const a of addrs ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  return undefined;
}

/**
 * With an address pods can reach, the API server listens on every interface (clients still
 * need a certificate of the cluster's CA) and publishes that address as the `kubernetes`
 * Service's endpoint; without one it stays on loopback and the Service has no endpoints
 * (Endpoints may not hold a loopback address).
 */
export function apiServerAddressFlags(address: string | undefined): string[] {
  if (!address)
    return [
      "--bind-address=127.0.0.1",
      "--advertise-address=127.0.0.1",
      "--endpoint-reconciler-type=none",
    ];
  return ["--bind-address=0.0.0.0", `--advertise-address=${address}`];
}

export function commandFor(name: ComponentName, layout: Layout): Command {
  const f = clusterFiles(layout.dir);
  const pki = pkiPaths(f.pkiDir);
  const { ports } = layout;
  const bin = path.join(layout.binDir, name);
  const kubeconfigFlags = [
    `--kubeconfig=${f.kubeconfig}`,
    `--authentication-kubeconfig=${f.kubeconfig}`,
    `--authorization-kubeconfig=${f.kubeconfig}`,
  ];
  switch (name) {
    case "etcd": {
      const client = `http://127.0.0.1:${ports.etcdClient}`;
      const peer = `http://127.0.0.1:${ports.etcdPeer}`;
      return {
        command: bin,
        args: [
          "--name=default",
          `--data-dir=${f.etcdData}`,
          `--listen-client-urls=${client}`,
          `--advertise-client-urls=${client}`,
          `--listen-peer-urls=${peer}`,
          `--initial-advertise-peer-urls=${peer}`,
          `--initial-cluster=default=${peer}`,
          // A test cluster's data is disposable: skip fsync, it is much faster on shared disks.
          "--unsafe-no-fsync=true",
          "--log-level=warn",
        ],
      };
    }
    case "kube-apiserver":
      return {
        command: bin,
        args: [
          `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
          ...apiServerAddressFlags(layout.advertiseAddress),
          `--secure-port=${ports.apiserver}`,
          `--tls-cert-file=${pki.servingCert}`,
          `--tls-private-key-file=${pki.servingKey}`,
          `--client-ca-file=${pki.caCert}`,
          // Front-proxy (request header) auth: the controllers read this CA at start-up and
          // log errors every few seconds without it. No certificate with this CN is ever issued.
          `--requestheader-client-ca-file=${pki.caCert}`,
          "--requestheader-allowed-names=front-proxy-client",
          "--requestheader-username-headers=X-Remote-User",
          "--requestheader-group-headers=X-Remote-Group",
          "--requestheader-extra-headers-prefix=X-Remote-Extra-",
          `--service-account-key-file=${pki.saPub}`,
          `--service-account-signing-key-file=${pki.saKey}`,
          "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
          `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
          // To the real node's kubelet (logs, exec): its webhook authn takes the admin cert.
          `--kubelet-client-certificate=${pki.adminCert}`,
          `--kubelet-client-key=${pki.adminKey}`,
          "--kubelet-preferred-address-types=InternalIP",
          "--authorization-mode=Node,RBAC",
          "--allow-privileged=true",
          `--audit-policy-file=${f.auditPolicy}`,
          `--audit-log-path=${f.auditLog}`,
          "--audit-log-format=json",
          "--audit-log-maxsize=200",
          "--audit-log-maxbackup=1",
          `--cert-dir=${f.pkiDir}`,
          "--profiling=false",
          "--v=1",
        ],
      };
    case "kube-controller-manager":
      return {
        command: bin,
        args: [
          ...kubeconfigFlags,
          "--bind-address=127.0.0.1",
          `--secure-port=${ports.controllerManager}`,
          "--controllers=*",
          // One instance per cluster: leader election only delays the start.
          "--leader-elect=false",
          "--use-service-account-credentials=true",
          `--service-account-private-key-file=${pki.saKey}`,
          `--root-ca-file=${pki.caCert}`,
          `--cluster-signing-cert-file=${pki.caCert}`,
          `--cluster-signing-key-file=${pki.caKey}`,
          `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
          // The default client limit (20 qps, burst 30) made the controllers, not the operator,
          // the bottleneck of every test with many tenants: each Deployment rolled out costs
          // about seven writes (ReplicaSet, Pod, statuses). Large clusters raise it the same way.
          "--kube-api-qps=200",
          "--kube-api-burst=400",
          "--concurrent-deployment-syncs=10",
          "--concurrent-replicaset-syncs=10",
          "--profiling=false",
          "--v=1",
        ],
      };
    case "kube-scheduler":
      return {
        command: bin,
        args: [
          ...kubeconfigFlags,
          "--bind-address=127.0.0.1",
          `--secure-port=${ports.scheduler}`,
          "--leader-elect=false",
          // Deprecated flags, but still the only way without a config file (default 50/100).
          "--kube-api-qps=200",
          "--kube-api-burst=400",
          // Every tenant pod is first refused ("pod has unbound immediate PersistentVolumeClaims":
          // its claim, its volume and the pod are made at once) and waits in the scheduler's
          // unschedulable pool for the claim's binding to requeue it. A pod whose requeue is
          // missed waits for the pool's flush, 5 minutes by default (kubernetes/kubernetes#87145,
          // #125762), longer than any wait of the tests or the demo; a CI run once saw a tenant
          // not Ready after 150 s with all of its children made. Deprecated flag, as above.
          "--pod-max-in-unschedulable-pods-duration=20s",
          "--profiling=false",
          "--v=1",
        ],
      };
    case "kwok":
      return {
        command: bin,
        args: [
          `--kubeconfig=${f.kubeconfig}`,
          `--config=${f.kwokStages}`,
          "--manage-all-nodes=false",
          `--manage-nodes-with-annotation-selector=${KWOK_NODE_ANNOTATION}=fake`,
          "--node-lease-duration-seconds=40",
          `--cidr=${POD_CIDR}`,
          "--node-ip=10.0.0.1",
        ],
        // kwok also reads ~/.kwok/kwok.yaml when it exists: give it a home of its own.
        env: { HOME: f.kwokHome },
      };
  }
}
