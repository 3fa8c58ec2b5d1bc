/**
 * What bench:operator creates, as pure functions: the Tenants (one spec for all, the smallest
 * useful tenant of examples/tenants/acme.yaml), the render config the bare client shares with
 * the operator's flags, and a PersistentVolume pre-bound to each tenant's data claim.
 *
 * Why the volumes: a tenant is Ready only when its Deployment is Available, and its pod needs
 * its embedded-database claim bound. The local control plane has no volume provisioner, so the
 * bench plays one, before the clock starts, for every claim it expects.
 */
import type { KubernetesObject, V1PersistentVolume } from "@kubernetes/client-node";
import { API_VERSION, KIND, type Tenant } from "../../operator/api/types.js";
import { DEFAULT_RENDER_CONFIG, type RenderConfig } from "../../operator/tenant/render-config.js";

/** StorageClass of the bench's pre-made volumes (passed to the operator as --storage-class). */
export const BENCH_STORAGE_CLASS = "bench-local";
/** Label on every Tenant the bench creates, valued by phase ("operator" or "limit"). */
export const PHASE_LABEL = "bench.tenancy.dev/phase";

export type Phase = "operator" | "limit";

/** The render config matching the flags bench:operator gives the operator. */
export const BENCH_RENDER_CONFIG: RenderConfig = {
  ...DEFAULT_RENDER_CONFIG,
  storageClassName: BENCH_STORAGE_CLASS,
};

export const tenantName = (phase: Phase, index: number): string =>
  `${phase === "operator" ? "op" : "lim"}-${String(index).padStart(5, "0")}`;

export function benchTenant(phase: Phase, index: number): Tenant {
  const name = tenantName(phase, index);
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, labels: { [PHASE_LABEL]: phase } },
    spec: { displayName: `Bench ${name}`, host: `${name}.bench.example.com` },
  };
}

/** A volume pre-bound (claimRef) to the data claim among `children`, or undefined if none. */
export function volumeFor(children: readonly KubernetesObject[]): V1PersistentVolume | undefined {
  const claim = children.find((o) => o.kind === "PersistentVolumeClaim") as
    | {
        metadata: { name: string; namespace: string };
        spec?: { resources?: { requests?: Record<string, string> } };
      }
    | undefined;
  if (!claim) return undefined;
  const { name, namespace } = claim.metadata;
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: `bench-${namespace}-${name}`, labels: { [PHASE_LABEL]: "volume" } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? "1Gi" },
      accessModes: ["ReadWriteOnce"],
      storageClassName: BENCH_STORAGE_CLASS,
      persistentVolumeReclaimPolicy: "Retain",
      hostPath: { path: `/tmp/bench-volumes/${namespace}` },
      claimRef: { apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name },
    },
  };
}

/** True for an API error with HTTP status 409 (AlreadyExists / Conflict). */
export function isConflictError(error: unknown): boolean {
  const e = error as { code?: unknown; statusCode?: unknown } | null;
  return e?.code === 409 || e?.statusCode === 409;
}
