/**
 * A fleet of Tenants for the fault tests, and the one check they all end with: every tenant
 * Ready for its latest spec, every child present exactly once and owned by its current Tenant,
 * no child left without a Tenant, every tenant's data volume the one it had before the faults,
 * and every branding ConfigMap saying what its Tenant says now.
 *
 * Everything is read from the API server with plain list calls (a handful per check, whatever
 * the fleet size), so the check costs the same at 10 tenants as at 100.
 */
import {
  AppsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  type KubeConfig,
  type KubernetesObject,
} from "@kubernetes/client-node";
import { API_VERSION, GROUP, PLURAL, VERSION, type Tenant } from "../../operator/api/types.js";
import { isReady } from "../operator/testing.js";

/** Ready for the latest spec (one definition for every cluster test). */
export { isReady };
import { kubectlAt as runKubectl } from "../cluster/kubectl.js";
import { LABELS, namespaceFor } from "../../operator/tenant/children.js";

export const MANAGED = `${LABELS.managedBy}=tenant-operator`;

/** Children every fleet tenant has (embedded database, no quota, no DNS/TLS integrations). */
export const EXPECTED_CHILDREN: Readonly<Record<string, number>> = {
  Namespace: 1,
  ServiceAccount: 1,
  ConfigMap: 1,
  PersistentVolumeClaim: 1,
  NetworkPolicy: 1,
  Service: 2,
  Deployment: 1,
  Ingress: 2,
};

/** Runs the cluster's kubectl with `input` on stdin (one implementation for every test). */
export function kubectlAt(
  binDir: string,
  kubeconfigPath: string,
  args: string[],
  input?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return runKubectl(binDir, kubeconfigPath, args, input, 60_000);
}

export function tenantManifest(
  name: string,
  labels: Record<string, string>,
  welcome: string,
): Tenant {
  return {
    apiVersion: API_VERSION,
    kind: "Tenant",
    metadata: { name, labels },
    spec: {
      displayName: `Fleet ${name}`,
      host: `${name}.example.com`,
      branding: { welcomeMessage: welcome },
    },
  };
}

/** Runs `task` over `items`, at most `width` at a time. */
export async function inBatches<T>(
  items: readonly T[],
  width: number,
  task: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: width }, worker));
}

export async function createTenants(
  kc: KubeConfig,
  names: readonly string[],
  labels: Record<string, string>,
  welcome: string,
): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  await inBatches(names, 10, (name) =>
    api.createClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      body: tenantManifest(name, labels, welcome),
    }),
  );
}

/** Changes every tenant's welcome message (a new generation for each). */
export async function setWelcome(
  kc: KubeConfig,
  names: readonly string[],
  welcome: string,
): Promise<void> {
  const api = kc.makeApiClient(CustomObjectsApi);
  await inBatches(names, 10, (name) =>
    // A JSON patch (client-node's default content type for custom objects).
    api.patchClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      name,
      body: [{ op: "replace", path: "/spec/branding/welcomeMessage", value: welcome }],
    }),
  );
}

export async function listTenants(kc: KubeConfig, selector: string): Promise<Tenant[]> {
  const list = (await kc.makeApiClient(CustomObjectsApi).listClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    labelSelector: selector,
  })) as { items: Tenant[] };
  return list.items;
}

/** Every managed child in the cluster, by kind (list calls across all namespaces). */
export async function managedChildren(kc: KubeConfig): Promise<KubernetesObject[]> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const net = kc.makeApiClient(NetworkingV1Api);
  const labelSelector = MANAGED;
  const kinds: [string, Promise<{ items: KubernetesObject[] }>][] = [
    ["Namespace", core.listNamespace({ labelSelector })],
    ["ServiceAccount", core.listServiceAccountForAllNamespaces({ labelSelector })],
    ["ConfigMap", core.listConfigMapForAllNamespaces({ labelSelector })],
    ["PersistentVolumeClaim", core.listPersistentVolumeClaimForAllNamespaces({ labelSelector })],
    ["NetworkPolicy", net.listNetworkPolicyForAllNamespaces({ labelSelector })],
    ["Service", core.listServiceForAllNamespaces({ labelSelector })],
    ["Deployment", apps.listDeploymentForAllNamespaces({ labelSelector })],
    ["Ingress", net.listIngressForAllNamespaces({ labelSelector })],
  ];
  const lists = await Promise.all(kinds.map(([, list]) => list));
  return lists.flatMap((list, i) => list.items.map((o) => ({ ...o, kind: kinds[i]![0] })));
}

export interface FleetState {
  tenants: Tenant[];
  children: KubernetesObject[];
  /** Pods not being deleted, per tenant namespace. */
  pods: Map<string, number>;
}

export async function readFleet(kc: KubeConfig, selector: string): Promise<FleetState> {
  const [tenants, children, pods] = await Promise.all([
    listTenants(kc, selector),
    managedChildren(kc),
    kc.makeApiClient(CoreV1Api).listPodForAllNamespaces({ labelSelector: LABELS.tenant }),
  ]);
  const perNamespace = new Map<string, number>();
  for (const pod of pods.items) {
    if (pod.metadata?.deletionTimestamp) continue;
    const ns = pod.metadata?.namespace ?? "";
    perNamespace.set(ns, (perNamespace.get(ns) ?? 0) + 1);
  }
  return { tenants, children, pods: perNamespace };
}

/** The uid of each tenant's data claim: the tenant's data, which no fault may replace. */
export function dataClaims(state: FleetState): Map<string, string> {
  return new Map(
    state.children
      .filter((c) => c.kind === "PersistentVolumeClaim")
      .map((c) => [c.metadata?.namespace ?? "", c.metadata?.uid ?? ""]),
  );
}

export interface FleetExpectation {
  names: readonly string[];
  /** The welcome message every branding ConfigMap must carry. */
  welcome: string;
  /** Data claim uid per namespace that must be unchanged (from dataClaims()). */
  claims?: Map<string, string>;
}

function notReady(tenants: Iterable<Tenant>): string[] {
  return [...tenants]
    .filter((t) => !isReady(t))
    .map((t) => {
      const ready = t.status?.conditions?.find((c) => c.type === "Ready");
      return `${t.metadata.name} gen ${t.metadata.generation} observed ${t.status?.observedGeneration} ${ready?.reason ?? "-"}`;
    });
}

interface ChildCensus {
  /** `<namespace> <kind>` -> how many children of that kind the tenant has. */
  counts: Map<string, number>;
  orphans: string[];
  staleBranding: string[];
}

/** The namespace a child belongs to (a Namespace belongs to itself). */
function namespaceOf(child: KubernetesObject): string {
  return (child.kind === "Namespace" ? child.metadata?.name : child.metadata?.namespace) ?? "";
}

function controllerUid(child: KubernetesObject): string | undefined {
  return child.metadata?.ownerReferences?.find((o) => o.controller)?.uid;
}

function welcomeOf(child: KubernetesObject): string | undefined {
  return (child as { data?: Record<string, string> }).data?.welcomeMessage;
}

/** Sorts every child into its tenant (by controller uid) or the orphans. */
function census(
  children: readonly KubernetesObject[],
  uidOfNamespace: Map<string, string | undefined>,
  welcome: string,
): ChildCensus {
  const result: ChildCensus = { counts: new Map(), orphans: [], staleBranding: [] };
  for (const child of children) {
    const ns = namespaceOf(child);
    if (!uidOfNamespace.has(ns) || controllerUid(child) !== uidOfNamespace.get(ns)) {
      result.orphans.push(`${child.kind} ${ns}/${child.metadata?.name}`);
      continue;
    }
    const key = `${ns} ${child.kind}`;
    result.counts.set(key, (result.counts.get(key) ?? 0) + 1);
    if (child.kind === "ConfigMap" && welcomeOf(child) !== welcome) {
      result.staleBranding.push(`${ns}: ${JSON.stringify(welcomeOf(child))}`);
    }
  }
  return result;
}

function wrongCounts(names: readonly string[], state: FleetState, counts: Map<string, number>) {
  const wrong: string[] = [];
  for (const name of names) {
    const ns = namespaceFor(name);
    for (const [kind, expected] of Object.entries(EXPECTED_CHILDREN)) {
      const got = counts.get(`${ns} ${kind}`) ?? 0;
      if (got !== expected) wrong.push(`${ns} has ${got} ${kind} (want ${expected})`);
    }
    const pods = state.pods.get(ns) ?? 0;
    if (pods !== 1) wrong.push(`${ns} has ${pods} pods (want 1)`);
  }
  return wrong;
}

/**
 * What is wrong with the fleet, one line per kind of problem (naming a few instances and the
 * count); empty when every tenant is as it should be.
 */
export function fleetProblems(state: FleetState, want: FleetExpectation): string[] {
  const tenants = new Map(state.tenants.map((t) => [t.metadata.name ?? "", t]));
  const uidOfNamespace = new Map(
    want.names.map((n) => [namespaceFor(n), tenants.get(n)?.metadata.uid]),
  );
  const children = census(state.children, uidOfNamespace, want.welcome);
  const claimsNow = dataClaims(state);
  const findings: [string, string[]][] = [
    ["missing tenants", want.names.filter((n) => !tenants.has(n))],
    ["tenants not Ready for their generation", notReady(tenants.values())],
    ["children without their current Tenant as controller (orphans)", children.orphans],
    ["children missing or duplicated", wrongCounts(want.names, state, children.counts)],
    ["branding ConfigMaps not at the latest spec", children.staleBranding],
    [
      "data claims replaced or lost",
      [...(want.claims ?? [])].filter(([ns, uid]) => claimsNow.get(ns) !== uid).map(([ns]) => ns),
    ],
  ];
  return findings
    .filter(([, items]) => items.length > 0)
    .map(([kind, items]) => `${kind} (${items.length}): ${items.slice(0, 4).join("; ")}`);
}
