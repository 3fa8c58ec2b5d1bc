/**
 * The operator's RBAC exactly as the Helm chart grants it, for tests that run the operator
 * with no more rights than a real installation: apply `operatorRbacObjects(ns)` as admin,
 * then build the operator's client impersonating `operatorUser(ns)` (client-node: set
 * `user.impersonateUser`, or kubectl `--as`) and start it with `--lease-namespace ns
 * --lease-name <leaseName>`. Requires the Helm binary
 * (bash scripts/ensure-helm.sh, which scripts/test.sh runs).
 */
import type { V1ClusterRole, V1PolicyRule, V1Role } from "@kubernetes/client-node";
import { findOne, renderChart, type Manifest } from "./helm.js";

/** Release name the helpers render with; object names derive from it. */
export const RBAC_RELEASE = "tenant-operator";

export interface OperatorRbac {
  /** ServiceAccount, ClusterRole, ClusterRoleBinding, Role, RoleBinding: ready to apply. */
  objects: Manifest[];
  clusterRole: V1ClusterRole;
  /** The leader-election Role in the release namespace. */
  leaderElectionRole: V1Role;
  serviceAccount: { name: string; namespace: string };
  /** The only Lease the Role lets the operator renew: run it with `--lease-name <this>`. */
  leaseName: string;
}

/** Renders the chart in `namespace` and returns only its RBAC objects. */
export function renderOperatorRbac(namespace = "tenant-operator-system"): OperatorRbac {
  const manifests = renderChart({ releaseName: RBAC_RELEASE, namespace });
  const rbacKinds = new Set([
    "ServiceAccount",
    "ClusterRole",
    "ClusterRoleBinding",
    "Role",
    "RoleBinding",
  ]);
  const serviceAccount = findOne(manifests, "ServiceAccount");
  const leaderElectionRole = findOne(manifests, "Role") as unknown as V1Role;
  const leaseName = (leaderElectionRole.rules ?? []).flatMap((r) => r.resourceNames ?? [])[0];
  if (!leaseName) throw new Error("the chart's Role names no Lease");
  return {
    objects: manifests.filter((m) => rbacKinds.has(m.kind)),
    clusterRole: findOne(manifests, "ClusterRole"),
    leaderElectionRole,
    serviceAccount: { name: serviceAccount.metadata.name, namespace },
    leaseName,
  };
}

/** The RBAC objects to apply (as admin) before impersonating the operator. */
export function operatorRbacObjects(namespace = "tenant-operator-system"): Manifest[] {
  return renderOperatorRbac(namespace).objects;
}

/** The user name that impersonates the operator's ServiceAccount. */
export function operatorUser(namespace = "tenant-operator-system"): string {
  const { serviceAccount } = renderOperatorRbac(namespace);
  return `system:serviceaccount:${serviceAccount.namespace}:${serviceAccount.name}`;
}

/** Every rule of the ClusterRole and the Role, for assertions over all of them. */
export function allRules(rbac: OperatorRbac): V1PolicyRule[] {
  return [...(rbac.clusterRole.rules ?? []), ...(rbac.leaderElectionRole.rules ?? [])];
}

/**
 * Whether the rules grant `verb` on `group/resource` (resource may be "x/status").
 * A plain matcher without wildcards, since the chart uses none.
 */
export function grants(
  rules: V1PolicyRule[],
  verb: string,
  group: string,
  resource: string,
): boolean {
  return rules.some(
    (r) =>
      (r.apiGroups ?? []).includes(group) &&
      (r.resources ?? []).includes(resource) &&
      r.verbs.includes(verb),
  );
}
