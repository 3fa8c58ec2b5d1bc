/**
 * The kinds the operator creates per tenant, the labels on every child, and the
 * deterministic namespace name. Used by the runtime for informers, prune and RBAC.
 */

export interface ChildKind {
  apiVersion: string;
  kind: string;
  /** Lower-case plural resource name, as used in URLs and RBAC rules. */
  plural: string;
  namespaced: boolean;
  /** A kind from an optional integration: a missing CRD is reported in a condition, not a crash. */
  optionalCrd?: boolean;
}

export const CHILD_KINDS: readonly ChildKind[] = [
  { apiVersion: "v1", kind: "Namespace", plural: "namespaces", namespaced: false },
  { apiVersion: "v1", kind: "ServiceAccount", plural: "serviceaccounts", namespaced: true },
  { apiVersion: "v1", kind: "ConfigMap", plural: "configmaps", namespaced: true },
  {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    plural: "persistentvolumeclaims",
    namespaced: true,
  },
  { apiVersion: "v1", kind: "ResourceQuota", plural: "resourcequotas", namespaced: true },
  { apiVersion: "v1", kind: "LimitRange", plural: "limitranges", namespaced: true },
  { apiVersion: "v1", kind: "Service", plural: "services", namespaced: true },
  { apiVersion: "apps/v1", kind: "Deployment", plural: "deployments", namespaced: true },
  { apiVersion: "networking.k8s.io/v1", kind: "Ingress", plural: "ingresses", namespaced: true },
  {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    plural: "networkpolicies",
    namespaced: true,
  },
  {
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    plural: "horizontalpodautoscalers",
    namespaced: true,
  },
  {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    plural: "poddisruptionbudgets",
    namespaced: true,
  },
  // spec.access (access.ts): always served, so informers start at once.
  { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", plural: "roles", namespaced: true },
  {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    plural: "rolebindings",
    namespaced: true,
  },
  {
    apiVersion: "externaldns.k8s.io/v1alpha1",
    kind: "DNSEndpoint",
    plural: "dnsendpoints",
    namespaced: true,
    optionalCrd: true,
  },
];

export const LABELS = {
  managedBy: "app.kubernetes.io/managed-by",
  tenant: "platform.tenancy.dev/tenant",
} as const;

/** The namespace that holds every namespaced child of a tenant. */
export function namespaceFor(tenantName: string): string {
  return `tenant-${tenantName}`;
}
