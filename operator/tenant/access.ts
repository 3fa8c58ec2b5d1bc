/**
 * spec.access as RBAC in the tenant's namespace only: a Role per audience (owner, viewer) with
 * the rights the README documents, and a RoleBinding of the listed subjects to it. Both are
 * rendered only while their list has subjects, so removing the last subject prunes them, and
 * removing one subject rewrites the binding's (atomic) subject list at the next reconcile.
 *
 * Why Roles rendered per namespace rather than ClusterRoles shipped with the install: they exist
 * however the operator was installed (Helm chart, or crds/ + `npm run operator`), they can name
 * the tenant's own Deployment and database Secret (resourceNames), and they change with the
 * operator's version. The API server lets the operator create them without the `escalate` verb
 * because its own ClusterRole holds every right listed here (see charts/.../clusterrole.yaml);
 * a `bind` on shipped ClusterRoles would let a compromised operator grant the same rights in any
 * namespace, so it would not be narrower.
 */
import type { V1PolicyRule, V1Role, V1RoleBinding, RbacV1Subject } from "@kubernetes/client-node";
import type { TenantAccessSubject } from "../api/types.js";
import { childMeta } from "./labels.js";
import { Names } from "./names.js";
import type { ResolvedTenant } from "./spec.js";

export const AccessNames = {
  ownerRole: "tenant-owner",
  viewerRole: "tenant-viewer",
  ownerBinding: "tenant-owners",
  viewerBinding: "tenant-viewers",
} as const;

const READ = ["get", "list", "watch"];

/** What both audiences may read in the namespace: everything the tenant runs on, no Secrets. */
export const READ_RULES: readonly V1PolicyRule[] = [
  {
    apiGroups: [""],
    resources: [
      "pods",
      "services",
      "endpoints",
      "configmaps",
      "persistentvolumeclaims",
      "serviceaccounts",
      "resourcequotas",
      "limitranges",
      "events",
    ],
    verbs: READ,
  },
  { apiGroups: ["apps"], resources: ["deployments", "replicasets"], verbs: READ },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: READ },
  { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: READ },
  { apiGroups: ["networking.k8s.io"], resources: ["ingresses", "networkpolicies"], verbs: READ },
  { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: READ },
  { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: READ },
  { apiGroups: ["externaldns.k8s.io"], resources: ["dnsendpoints"], verbs: READ },
  { apiGroups: ["cert-manager.io"], resources: ["certificates"], verbs: READ },
];

/** Owners' rights on top of READ_RULES (the database Secret rule is added per tenant). */
export function ownerRules(t: ResolvedTenant): V1PolicyRule[] {
  const rules: V1PolicyRule[] = [
    ...READ_RULES,
    { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
    // kubectl port-forward: POST (SPDY) is "create"; the WebSocket upgrade is a GET.
    { apiGroups: [""], resources: ["pods/portforward"], verbs: ["get", "create"] },
    // kubectl rollout restart patches the pod template's restartedAt annotation. The operator's
    // drift check ignores fields it does not render, so the restart is not undone.
    {
      apiGroups: ["apps"],
      resources: ["deployments"],
      resourceNames: [Names.deployment],
      verbs: ["patch"],
    },
    // Who has access to the namespace (read only).
    { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: READ },
  ];
  const secret = t.database.secretRef?.name;
  if (secret) {
    rules.push({
      apiGroups: [""],
      resources: ["secrets"],
      resourceNames: [secret],
      verbs: ["get"],
    });
  }
  return rules;
}

/** The RBAC subject of a spec entry; apiGroup as the API server would default it (no drift). */
export function rbacSubject(s: TenantAccessSubject): RbacV1Subject {
  if (s.kind === "ServiceAccount") return { kind: s.kind, name: s.name, namespace: s.namespace };
  return { kind: s.kind, apiGroup: "rbac.authorization.k8s.io", name: s.name };
}

/** The subjects in order, each once (the CRD cannot afford a uniqueness rule). */
function unique(subjects: RbacV1Subject[]): RbacV1Subject[] {
  const seen = new Set<string>();
  return subjects.filter((s) => {
    const key = `${s.kind}/${s.namespace ?? ""}/${s.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function role(t: ResolvedTenant, name: string, rules: V1PolicyRule[]): V1Role {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: childMeta(t, name),
    rules: rules.map((r) => structuredClone(r)),
  };
}

function binding(
  t: ResolvedTenant,
  name: string,
  roleName: string,
  subjects: TenantAccessSubject[],
): V1RoleBinding {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "RoleBinding",
    metadata: childMeta(t, name),
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName },
    subjects: unique(subjects.map(rbacSubject)),
  };
}

/** Roles first, then bindings (a binding to a missing Role grants nothing until it exists). */
export function renderAccess(t: ResolvedTenant): (V1Role | V1RoleBinding)[] {
  const owners = t.access.owners;
  const viewers = t.access.viewers;
  const out: (V1Role | V1RoleBinding)[] = [];
  if (owners.length > 0) out.push(role(t, AccessNames.ownerRole, ownerRules(t)));
  if (viewers.length > 0) out.push(role(t, AccessNames.viewerRole, [...READ_RULES]));
  if (owners.length > 0)
    out.push(binding(t, AccessNames.ownerBinding, AccessNames.ownerRole, owners));
  if (viewers.length > 0)
    out.push(binding(t, AccessNames.viewerBinding, AccessNames.viewerRole, viewers));
  return out;
}
