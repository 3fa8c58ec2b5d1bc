import type { V1Namespace } from "@kubernetes/client-node";
import type { ResolvedTenant } from "./spec.js";
import { childMeta } from "./labels.js";

/** Pod Security Admission at "restricted" for enforce, audit and warn. */
export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = {
  "pod-security.kubernetes.io/enforce": "restricted",
  "pod-security.kubernetes.io/enforce-version": "latest",
  "pod-security.kubernetes.io/audit": "restricted",
  "pod-security.kubernetes.io/warn": "restricted",
};

export function renderNamespace(t: ResolvedTenant): V1Namespace {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: childMeta(t, t.namespace, { namespaced: false, labels: { ...POD_SECURITY_LABELS } }),
  };
}
