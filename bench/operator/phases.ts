/**
 * The I/O steps of bench:operator: create the Tenants and their pre-bound volumes (set-up,
 * not timed), watch how many are Ready, and the bare client that creates the operator's
 * rendered children itself, as fast as it can, to measure the API server's own limit.
 */
import {
  ApiextensionsV1Api,
  AppsV1Api,
  CustomObjectsApi,
  type KubeConfig,
  KubernetesObjectApi,
  type KubernetesObject,
  NetworkingV1Api,
} from "@kubernetes/client-node";
import { GROUP, PLURAL, type Tenant, VERSION } from "../../operator/api/types.js";
import { CHILD_KINDS, LABELS } from "../../operator/tenant/children.js";
import { renderTenant } from "../../operator/tenant/render.js";
import { runPool } from "../lib/pool.js";
import { rawClient } from "./raw-client.js";
import {
  BENCH_RENDER_CONFIG,
  benchTenant,
  isConflictError,
  type Phase,
  PHASE_LABEL,
  volumeFor,
} from "./fixtures.js";

/** Creates tenants 0..n-1 of `phase`; returns them as stored (with uid). */
export async function createTenants(
  kc: KubeConfig,
  phase: Phase,
  n: number,
  concurrency: number,
): Promise<Tenant[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const created: Tenant[] = new Array<Tenant>(n);
  await runPool([...Array(n).keys()], concurrency, async (i) => {
    created[i] = await api.create(benchTenant(phase, i));
  });
  return created;
}

/** One pre-bound volume per data claim the tenants of `phase` will render. */
export async function createVolumes(
  kc: KubeConfig,
  phase: Phase,
  n: number,
  concurrency: number,
): Promise<number> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  let count = 0;
  await runPool([...Array(n).keys()], concurrency, async (i) => {
    const tenant = benchTenant(phase, i);
    tenant.metadata.uid = "00000000-0000-0000-0000-000000000000"; // names do not depend on it
    const volume = volumeFor(renderTenant(tenant, BENCH_RENDER_CONFIG));
    if (!volume) return;
    try {
      await api.create(volume);
    } catch (error) {
      if (!isConflictError(error)) throw error;
    }
    count++;
  });
  return count;
}

/** How many Tenants of `phase` have Ready=True (one list, served from the watch cache). */
export async function countReady(
  kc: KubeConfig,
  phase: Phase,
): Promise<{ ready: number; total: number }> {
  const api = kc.makeApiClient(CustomObjectsApi);
  const list = (await api.listClusterCustomObject({
    group: GROUP,
    version: VERSION,
    plural: PLURAL,
    labelSelector: `${PHASE_LABEL}=${phase}`,
    resourceVersion: "0",
  })) as { items: Tenant[] };
  const ready = list.items.filter((t) =>
    t.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
  ).length;
  return { ready, total: list.items.length };
}

/**
 * Deployments the operator made (by its managed-by label), and how many are Available: tells
 * the operator's own pace (children written) from the cluster's (rollout on kwok).
 */
export async function countDeployments(
  kc: KubeConfig,
): Promise<{ exist: number; available: number; ingresses: number }> {
  const selector = { labelSelector: `${LABELS.managedBy}=tenant-operator`, resourceVersion: "0" };
  const list = await kc.makeApiClient(AppsV1Api).listDeploymentForAllNamespaces(selector);
  const ingresses = await kc.makeApiClient(NetworkingV1Api).listIngressForAllNamespaces(selector);
  const available = list.items.filter((d) =>
    d.status?.conditions?.some((c) => c.type === "Available" && c.status === "True"),
  ).length;
  return { exist: list.items.length, available, ingresses: ingresses.items.length };
}

/** Kinds whose optional CRD is not installed: neither the operator nor the bare client can create them. */
export async function missingOptionalKinds(kc: KubeConfig): Promise<Set<string>> {
  const crds = kc.makeApiClient(ApiextensionsV1Api);
  const missing = new Set<string>();
  for (const kind of CHILD_KINDS.filter((k) => k.optionalCrd)) {
    const group = kind.apiVersion.split("/")[0]!;
    try {
      await crds.readCustomResourceDefinition({ name: `${kind.plural}.${group}` });
    } catch {
      missing.add(kind.kind);
    }
  }
  return missing;
}

/** The children the operator would create for `tenant`, in its render order. */
export function childrenOf(tenant: Tenant, skipKinds: ReadonlySet<string>): KubernetesObject[] {
  return renderTenant(tenant, BENCH_RENDER_CONFIG).filter((o) => !skipKinds.has(o.kind!));
}

/**
 * The bare client: for each tenant (at most `concurrency` tenants at once, like the operator's
 * workers) creates its rendered children one after the other with plain POSTs over keep-alive
 * HTTPS (raw-client.ts). Returns the objects created and the seconds it took.
 */
export async function bareCreate(
  kc: KubeConfig,
  tenants: readonly Tenant[],
  concurrency: number,
  skipKinds: ReadonlySet<string>,
): Promise<{ objects: number; seconds: number }> {
  const client = await rawClient(kc, concurrency);
  const work = tenants.map((t) => childrenOf(t, skipKinds));
  let objects = 0;
  const started = performance.now();
  try {
    await runPool(work, concurrency, async (children) => {
      for (const child of children) {
        await client.create(child);
        objects++;
      }
    });
  } finally {
    client.close();
  }
  return { objects, seconds: (performance.now() - started) / 1000 };
}
