/**
 * What deleting a Tenant means, as data. With deletionPolicy Delete the garbage collector removes
 * every child through its ownerReference (the runtime only cleans up what owner references
 * cannot reach). With Retain the Namespace and the data PVC lose their ownerReference before the
 * Tenant goes, so they survive it; the other children are still collected.
 */
import type { KubernetesObject, V1OwnerReference } from "@kubernetes/client-node";
import type { Tenant } from "../api/types.js";
import { namespaceFor } from "./children.js";
import { Names } from "./names.js";
import { usesEmbeddedDatabase } from "./spec.js";

/** The finalizer the runtime keeps on a Tenant until clean-up is done. */
export const TENANT_FINALIZER = "platform.tenancy.dev/cleanup";

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** Children that must outlive the Tenant: under Retain, the Namespace and (embedded) the PVC. */
export function retainedOnDeletion(tenant: Tenant): ObjectRef[] {
  if ((tenant.spec.deletionPolicy ?? "Delete") !== "Retain") return [];
  const namespace = namespaceFor(tenant.metadata.name ?? "");
  const refs: ObjectRef[] = [{ apiVersion: "v1", kind: "Namespace", name: namespace }];
  if (usesEmbeddedDatabase(tenant)) {
    refs.push({ apiVersion: "v1", kind: "PersistentVolumeClaim", name: Names.dataPvc, namespace });
  }
  return refs;
}

/**
 * The ownerReferences an object should keep once the Tenant with `tenantUid` lets go of it;
 * undefined when the object is not owned by that Tenant (nothing to change).
 */
export function ownerReferencesWithout(
  obj: KubernetesObject,
  tenantUid: string,
): V1OwnerReference[] | undefined {
  const refs = obj.metadata?.ownerReferences ?? [];
  if (!refs.some((r) => r.uid === tenantUid)) return undefined;
  return refs.filter((r) => r.uid !== tenantUid);
}
