// What the local control plane is built from: pinned versions and one build recipe per
// binary. Changing anything here (or a recipe module's go.mod/go.sum) changes the binary's
// recipe key, so the cached binary is rebuilt on the next `npm run cluster:build`.
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The Kubernetes release every Kubernetes binary is built from (see go/kubernetes/go.mod). */
export const KUBERNETES_VERSION = "v1.34.4";
/** Recorded for humans and in the recipe key; the modules pin the real versions. */
export const ETCD_VERSION = "v3.6.16";
export const KWOK_VERSION = "v0.8.0";

export type BinaryName =
  | "etcd"
  | "kube-apiserver"
  | "kube-controller-manager"
  | "kube-scheduler"
  | "kubectl"
  | "kwok"
  | "kubelet"
  | "kube-proxy"
  | "pause";

export interface Recipe {
  name: BinaryName;
  /** Directory (under test/cluster/go/) of the Go module that pins the dependencies. */
  module: string;
  /** Go package path of the command to build. */
  pkg: string;
  ldflags: string[];
  /** Extra build environment (e.g. CGO_ENABLED=0 for a static binary). */
  env?: Record<string, string>;
}

/** Absolute path of test/cluster/. */
export const CLUSTER_SRC_DIR = path.dirname(fileURLToPath(import.meta.url));

function kubernetesLdflags(version: string): string[] {
  const [major, minor] = version.replace(/^v/, "").split(".");
  const flags: string[] = [];
  // component-base is what the servers report; client-go/pkg/version is what older code reads.
  for (const pkg of ["k8s.io/component-base/version", "k8s.io/client-go/pkg/version"]) {
    flags.push(
      `-X ${pkg}.gitVersion=${version}`,
      `-X ${pkg}.gitMajor=${major}`,
      `-X ${pkg}.gitMinor=${minor}`,
      `-X ${pkg}.gitTreeState=clean`,
    );
  }
  return flags;
}

const k8s = (name: BinaryName): Recipe => ({
  name,
  module: "kubernetes",
  pkg: `k8s.io/kubernetes/cmd/${name}`,
  ldflags: kubernetesLdflags(KUBERNETES_VERSION),
});

/** In build order: the first is the quickest, so a broken toolchain shows up early. */
export const RECIPES: readonly Recipe[] = [
  { name: "etcd", module: "etcd", pkg: "go.etcd.io/etcd/server/v3", ldflags: [] },
  k8s("kube-apiserver"),
  k8s("kube-controller-manager"),
  k8s("kube-scheduler"),
  k8s("kubectl"),
  {
    name: "kwok",
    module: "kwok",
    pkg: "sigs.k8s.io/kwok/cmd/kwok",
    ldflags: [`-X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION.replace(/^v/, "")}`],
  },
  // The real node (test/cluster/node.ts): kubelet and kube-proxy from the same module and
  // version as the API server; the pod sandbox binary of its locally built pause image.
  k8s("kubelet"),
  k8s("kube-proxy"),
  { name: "pause", module: "pause", pkg: ".", ldflags: [], env: { CGO_ENABLED: "0" } },
];

/**
 * Where the binaries are cached: ~/.cache/tenant-operator/<kubernetes version>/, or
 * $TENANT_OPERATOR_CACHE/<version>/ (XDG_CACHE_HOME is honoured too).
 */
export function defaultBinDir(): string {
  const root =
    process.env.TENANT_OPERATOR_CACHE ??
    path.join(process.env.XDG_CACHE_HOME ?? path.join(homedir(), ".cache"), "tenant-operator");
  return path.join(root, KUBERNETES_VERSION);
}
