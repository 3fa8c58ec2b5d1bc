/** Labels and metadata shared by every child: ownership, selection, and the app's identity. */
import type { V1ObjectMeta, V1OwnerReference } from "@kubernetes/client-node";
import { API_VERSION, KIND } from "../api/types.js";
import { LABELS } from "./children.js";
import type { ResolvedTenant } from "./spec.js";

export const APP_NAME = "tenant-service";
const NAME_LABEL = "app.kubernetes.io/name";

/** Labels on every child: how informers select what the operator owns. */
export function childLabels(t: ResolvedTenant): Record<string, string> {
  return {
    [NAME_LABEL]: APP_NAME,
    [LABELS.managedBy]: "tenant-operator",
    [LABELS.tenant]: t.name,
  };
}

/** The Deployment's selector (immutable once created, so kept minimal). */
export function selectorLabels(t: ResolvedTenant): Record<string, string> {
  return { [NAME_LABEL]: APP_NAME, [LABELS.tenant]: t.name };
}

/** The Tenant as controlling owner: deleting it (policy Delete) garbage-collects every child. */
export function ownerReference(t: ResolvedTenant): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: t.name,
    uid: t.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Metadata of a child: name, namespace (omit for cluster-scoped), labels, owner. */
export function childMeta(
  t: ResolvedTenant,
  name: string,
  opts: {
    namespaced?: boolean;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  } = {},
): V1ObjectMeta {
  const meta: V1ObjectMeta = { name };
  if (opts.namespaced !== false) meta.namespace = t.namespace;
  meta.labels = { ...childLabels(t), ...opts.labels };
  if (opts.annotations && Object.keys(opts.annotations).length > 0)
    meta.annotations = opts.annotations;
  meta.ownerReferences = [ownerReference(t)];
  return meta;
}
