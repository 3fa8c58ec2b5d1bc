import type { V1PersistentVolumeClaim } from "@kubernetes/client-node";
import { childMeta } from "./labels.js";
import { Names } from "./names.js";
import type { ResolvedTenant } from "./spec.js";

/**
 * The embedded database's volume (the embedded SQLite store's DATA_DIR). Only in embedded mode. Note that a
 * claim's storage class and access modes are immutable, and its size can only grow.
 */
export function renderDataPvc(t: ResolvedTenant): V1PersistentVolumeClaim | undefined {
  if (!t.embedded) return undefined;
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: childMeta(t, Names.dataPvc),
    spec: {
      accessModes: ["ReadWriteOnce"],
      ...(t.database.storageClassName ? { storageClassName: t.database.storageClassName } : {}),
      resources: { requests: { storage: t.database.storageSize } },
    },
  };
}
