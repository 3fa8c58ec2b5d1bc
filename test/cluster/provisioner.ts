// A local-path volume provisioner for the real node, run by `cluster:up` as a process of its
// own (provisioner-main.ts). Why ours and not Rancher's local-path-provisioner: that one
// creates and deletes directories through a helper pod whose image (busybox) would have to be
// pulled, and no registry is reachable here; this one runs on the host, next to the kubelet.
//
// It serves the cluster's default StorageClass `local-path` (WaitForFirstConsumer): once the
// scheduler has picked the real node for a claim's pod, it makes a directory under
// <cluster dir>/node/volumes/ and a `local` PersistentVolume bound to the claim, pinned to the
// node. When a claim goes and its volume is Released under reclaimPolicy Delete, it deletes the
// directory and the volume; under Retain both stay (the Tenant's deletionPolicy: Retain keeps
// the claim itself, so its volume stays Bound).
import fs from "node:fs";
import path from "node:path";
import {
  CoreV1Api,
  StorageV1Api,
  type KubeConfig,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1StorageClass,
} from "@kubernetes/client-node";

export const PROVISIONER_NAME = "tenant-operator.dev/local-path";
export const DEFAULT_STORAGE_CLASS = "local-path";
const SELECTED_NODE = "volume.kubernetes.io/selected-node";
const PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";

/** Pure: the cluster's default StorageClass, served by this provisioner. */
export function defaultStorageClass(): V1StorageClass {
  return {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: {
      name: DEFAULT_STORAGE_CLASS,
      annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
    },
    provisioner: PROVISIONER_NAME,
    volumeBindingMode: "WaitForFirstConsumer",
    reclaimPolicy: "Delete",
  };
}

/** Pure: the directory of a claim's volume (unique per claim: its uid). */
export function volumeDir(root: string, claim: V1PersistentVolumeClaim): string {
  const m = claim.metadata ?? {};
  return path.join(root, `${m.namespace}_${m.name}_${m.uid}`);
}

/** Pure: the volume for `claim`, a `local` volume at `dir` on `node`, bound to the claim. */
export function volumeFor(
  claim: V1PersistentVolumeClaim,
  dir: string,
  node: string,
  reclaimPolicy: string,
): V1PersistentVolume {
  const m = claim.metadata ?? {};
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: {
      name: `pvc-${m.uid}`,
      annotations: { [PROVISIONED_BY]: PROVISIONER_NAME },
    },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? "1Gi" },
      accessModes: claim.spec?.accessModes ?? ["ReadWriteOnce"],
      storageClassName: claim.spec?.storageClassName ?? DEFAULT_STORAGE_CLASS,
      persistentVolumeReclaimPolicy: reclaimPolicy as "Delete" | "Retain",
      volumeMode: "Filesystem",
      local: { path: dir },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            {
              matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [node] }],
            },
          ],
        },
      },
      claimRef: {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        namespace: m.namespace!,
        name: m.name!,
        uid: m.uid!,
      },
    },
  };
}

const isStatus = (err: unknown, code: number): boolean => {
  const e = err as { code?: unknown; statusCode?: unknown } | null;
  return e?.code === code || e?.statusCode === code;
};

export interface ProvisionerOptions {
  root: string;
  node: string;
  log: (line: string) => void;
}

/** One pass: provision Pending claims on our node, delete Released volumes. */
export async function provisionOnce(kc: KubeConfig, opts: ProvisionerOptions): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const classes = (await kc.makeApiClient(StorageV1Api).listStorageClass()).items.filter(
    (c) => c.provisioner === PROVISIONER_NAME,
  );
  const byName = new Map(classes.map((c) => [c.metadata!.name!, c]));
  for (const claim of (await core.listPersistentVolumeClaimForAllNamespaces()).items) {
    const cls = byName.get(claim.spec?.storageClassName ?? "");
    if (!cls || claim.status?.phase !== "Pending" || claim.spec?.volumeName) continue;
    const selected = claim.metadata?.annotations?.[SELECTED_NODE];
    if (cls.volumeBindingMode === "WaitForFirstConsumer" && selected !== opts.node) continue;
    const dir = volumeDir(opts.root, claim);
    // Pods run as non-root users: the kubelet gives a `local` volume the pod's fsGroup.
    fs.mkdirSync(dir, { recursive: true, mode: 0o770 });
    try {
      await core.createPersistentVolume({
        body: volumeFor(claim, dir, opts.node, cls.reclaimPolicy ?? "Delete"),
      });
      opts.log(`provisioned ${dir} for ${claim.metadata!.namespace}/${claim.metadata!.name}`);
    } catch (err) {
      if (!isStatus(err, 409)) throw err;
    }
  }
  for (const pv of (await core.listPersistentVolume()).items) {
    if (pv.metadata?.annotations?.[PROVISIONED_BY] !== PROVISIONER_NAME) continue;
    if (pv.status?.phase !== "Released" || pv.spec?.persistentVolumeReclaimPolicy !== "Delete")
      continue;
    const dir = pv.spec.local?.path;
    if (dir?.startsWith(opts.root + path.sep)) fs.rmSync(dir, { recursive: true, force: true });
    await core.deletePersistentVolume({ name: pv.metadata.name! }).catch((err: unknown) => {
      if (!isStatus(err, 404)) throw err;
    });
    opts.log(`deleted ${dir} (volume ${pv.metadata.name} released, reclaimPolicy Delete)`);
  }
}

/** Creates the default StorageClass, then provisions every second until the process ends. */
export async function runProvisioner(kc: KubeConfig, opts: ProvisionerOptions): Promise<never> {
  try {
    await kc.makeApiClient(StorageV1Api).createStorageClass({ body: defaultStorageClass() });
  } catch (err) {
    if (!isStatus(err, 409)) throw err;
  }
  opts.log(`provisioner ready: StorageClass ${DEFAULT_STORAGE_CLASS}, volumes in ${opts.root}`);
  for (;;) {
    await provisionOnce(kc, opts).catch((err: unknown) =>
      opts.log(`pass failed (retrying): ${(err as Error).message}`),
    );
    await new Promise((r) => setTimeout(r, 1000));
  }
}
