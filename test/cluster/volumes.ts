// A stand-in for a volume provisioner. The local control plane has none, and a tenant on the
// embedded database is Ready only once its PersistentVolumeClaim is bound (its pod cannot be
// scheduled before). This loop plays the provisioner for one StorageClass: for every claim of
// that class it creates a hostPath PersistentVolume pre-bound to it (claimRef); the real
// controller-manager's PV controller then binds the pair. Used by the demo and the operator tests.
import {
  CoreV1Api,
  StorageV1Api,
  type KubeConfig,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
} from "@kubernetes/client-node";

/** The StorageClass the tests and the demo give the operator (`--storage-class`). */
export const LOCAL_STORAGE_CLASS = "local-static";

export interface VolumeBinder {
  /** Stops the loop; volumes already made stay (they are cluster state like any other). */
  stop(): void;
}

/**
 * Pure: the volume pre-bound to `claim`. Its name is derived from the claim and its uid, so
 * each claim gets one, and a claim made again under the same name (a tenant deleted and
 * re-created) gets a new one.
 */
export function volumeForClaim(claim: V1PersistentVolumeClaim): V1PersistentVolume {
  const namespace = claim.metadata?.namespace ?? "default";
  const name = claim.metadata?.name ?? "";
  const uid = (claim.metadata?.uid ?? "").slice(0, 8);
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: `pv-${namespace}-${name}-${uid}`.slice(0, 253) },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? "1Gi" },
      accessModes: claim.spec?.accessModes ?? ["ReadWriteOnce"],
      storageClassName: claim.spec?.storageClassName ?? LOCAL_STORAGE_CLASS,
      persistentVolumeReclaimPolicy: "Retain",
      hostPath: { path: `/tmp/tenant-operator-volumes/${namespace}/${name}` },
      claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name },
    },
  };
}

function isStatus(err: unknown, code: number): boolean {
  const e = err as { code?: unknown; statusCode?: unknown } | null;
  return e?.code === code || e?.statusCode === code;
}

/** Creates the StorageClass (Immediate binding, no provisioner) if it does not exist yet. */
export async function ensureStorageClass(
  kc: KubeConfig,
  name = LOCAL_STORAGE_CLASS,
): Promise<void> {
  try {
    await kc.makeApiClient(StorageV1Api).createStorageClass({
      body: {
        metadata: { name },
        provisioner: "kubernetes.io/no-provisioner",
        volumeBindingMode: "Immediate",
        reclaimPolicy: "Delete",
      },
    });
  } catch (err) {
    if (!isStatus(err, 409)) throw err;
  }
}

/**
 * Every `intervalMs`, gives each Pending claim of `storageClass` a volume. Errors (API server
 * restarting, a volume made by an earlier pass) are retried on the next pass.
 */
export async function startVolumeBinder(
  kc: KubeConfig,
  storageClass = LOCAL_STORAGE_CLASS,
  intervalMs = 500,
): Promise<VolumeBinder> {
  await ensureStorageClass(kc, storageClass);
  const core = kc.makeApiClient(CoreV1Api);
  const made = new Set<string>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const pass = async (): Promise<void> => {
    const claims = await core.listPersistentVolumeClaimForAllNamespaces();
    for (const claim of claims.items) {
      if (claim.spec?.storageClassName !== storageClass || claim.status?.phase !== "Pending")
        continue;
      const volume = volumeForClaim(claim);
      const key = volume.metadata!.name!;
      if (made.has(key)) continue;
      try {
        await core.createPersistentVolume({ body: volume });
      } catch (err) {
        if (!isStatus(err, 409)) throw err;
      }
      made.add(key);
    }
  };
  const loop = (): void => {
    if (stopped) return;
    pass()
      .catch(() => undefined)
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, intervalMs);
      });
  };
  loop();
  return {
    stop: () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
