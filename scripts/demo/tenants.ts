// The example tenants of the demo (examples/tenants/): read, renamed when the demo shares a
// cluster (--prefix), labelled so the demo's operator can select them, applied with kubectl,
// and watched until Ready. The example files stay the single source: the demo applies exactly
// what a user would, plus a label (and the prefix).
import { kubectlAt } from "../../test/cluster/kubectl.js";
import fs from "node:fs";
import path from "node:path";
import { CustomObjectsApi, type KubeConfig } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { GROUP, PLURAL, VERSION, type Tenant } from "../../operator/api/types.js";

/** On every demo Tenant; its value is the prefix (or "demo"). */
export const DEMO_LABEL = "tenant-operator.dev/demo";

export interface DemoTenant {
  /** The example it comes from: acme, globex, initech. */
  example: string;
  /** Its name in the cluster (`<prefix>-<example>` with --prefix). */
  name: string;
  manifest: Tenant;
  /** Objects to apply once the tenant's namespace exists (globex's database Secret). */
  secrets: object[];
}

interface Manifest {
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
}

function readYaml(file: string): Manifest {
  return yaml.load(fs.readFileSync(file, "utf8")) as Manifest;
}

/** Pure-ish (reads files): the example Tenants and their Secrets, renamed and labelled. */
export function loadExampleTenants(examplesDir: string, prefix?: string): DemoTenant[] {
  const rename = (name: string): string => (prefix ? `${prefix}-${name}` : name);
  const secretsDir = path.join(examplesDir, "secrets");
  const secrets = fs.existsSync(secretsDir)
    ? fs.readdirSync(secretsDir).map((f) => readYaml(path.join(secretsDir, f)))
    : [];
  return fs
    .readdirSync(examplesDir)
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => {
      const manifest = readYaml(path.join(examplesDir, file)) as unknown as Tenant;
      const example = manifest.metadata.name!;
      const name = rename(example);
      manifest.metadata = {
        ...manifest.metadata,
        name,
        labels: { ...manifest.metadata.labels, [DEMO_LABEL]: prefix ?? "demo" },
      };
      if (prefix) manifest.spec.host = `${prefix}-${manifest.spec.host}`;
      const own = secrets
        .filter((s) => s.metadata.namespace === `tenant-${example}`)
        .map((s) => ({ ...s, metadata: { ...s.metadata, namespace: `tenant-${name}` } }));
      return { example, name, manifest, secrets: own };
    });
}

export interface Kubectl {
  (args: string[], input?: string): Promise<{ code: number; out: string }>;
}

/** kubectl (from the control plane's binaries when there) against one kubeconfig. */
export function kubectlFor(binDir: string, kubeconfig: string): Kubectl {
  return async (args, input) => {
    const run = await kubectlAt(binDir, kubeconfig, args, input, 150_000);
    return { code: run.code, out: (run.stdout + run.stderr).trim() };
  };
}

/** kubectl apply --server-side of objects given as JSON; throws with kubectl's message. */
export async function applyObjects(kubectl: Kubectl, objects: object[]): Promise<void> {
  const list = { apiVersion: "v1", kind: "List", items: objects };
  const run = await kubectl(
    ["apply", "--server-side", "--force-conflicts", "--field-manager=demo", "-f", "-"],
    JSON.stringify(list),
  );
  if (run.code !== 0) throw new Error(`kubectl apply failed: ${run.out}`);
}

export interface TenantState {
  ready: boolean;
  /** One line for people: the first condition that is not fine, or "Ready". */
  summary: string;
  url?: string;
}

/** Pure: what a Tenant's status says, kstatus-style (Ready for the observed generation). */
export function tenantState(t: Tenant | undefined): TenantState {
  if (!t) return { ready: false, summary: "not found" };
  const conditions = t.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === "Ready");
  const url = t.status?.url;
  const current = t.status?.observedGeneration === t.metadata.generation;
  if (!current) return { ready: false, summary: "waiting for the operator", url };
  if (ready?.status === "True") return { ready: true, summary: "Ready", url };
  const why = [ready, ...conditions.filter((c) => c.type === "Degraded" && c.status === "True")]
    .filter((c) => c !== undefined)
    .map((c) => `${c.type}=${c.status} ${c.reason}: ${c.message}`);
  return { ready: false, summary: why[0] ?? "no Ready condition yet", url };
}

export async function readTenant(kc: KubeConfig, name: string): Promise<Tenant | undefined> {
  const api = kc.makeApiClient(CustomObjectsApi);
  try {
    return (await api.getClusterCustomObject({
      group: GROUP,
      version: VERSION,
      plural: PLURAL,
      name,
    })) as Tenant;
  } catch {
    return undefined;
  }
}

/**
 * Polls the tenants until all are Ready or `timeoutMs` passes, printing each change of state,
 * and applies each tenant's Secrets as soon as its namespace exists. Returns the last states.
 */
export async function waitForTenants(
  kc: KubeConfig,
  kubectl: Kubectl,
  tenants: DemoTenant[],
  timeoutMs: number,
  log: (line: string) => void,
): Promise<Map<string, TenantState>> {
  const states = new Map<string, TenantState>();
  const pendingSecrets = new Set(tenants.filter((t) => t.secrets.length > 0));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const t of tenants) {
      const state = tenantState(await readTenant(kc, t.name));
      if (states.get(t.name)?.summary !== state.summary) log(`  ${t.name}: ${state.summary}`);
      states.set(t.name, state);
    }
    for (const t of pendingSecrets) {
      // The namespace is the operator's to create; until it exists the apply fails: retry.
      if ((await kubectl(["get", "namespace", `tenant-${t.name}`])).code !== 0) continue;
      await applyObjects(kubectl, t.secrets);
      log(`  ${t.name}: applied its database Secret in tenant-${t.name}`);
      pendingSecrets.delete(t);
    }
    if ([...states.values()].every((s) => s.ready) || Date.now() > deadline) return states;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/** Deletes the demo's Tenants and waits (bounded) until the operator has finalized them. */
export async function deleteTenants(kubectl: Kubectl, label: string): Promise<boolean> {
  const run = await kubectl([
    "delete",
    "tenants.platform.tenancy.dev",
    "-l",
    label,
    "--wait=true",
    "--timeout=90s",
  ]);
  return run.code === 0;
}

/** Pure: the table of tenants, padded columns. */
export function tenantTable(tenants: DemoTenant[], states: Map<string, TenantState>): string {
  const rows = [
    ["NAME", "HOST", "READY", "URL"],
    ...tenants.map((t) => {
      const s = states.get(t.name);
      return [t.name, t.manifest.spec.host, s?.ready ? "True" : "False", s?.url ?? "-"];
    }),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join("  ")).join("\n");
}

/** Pure: "" when TLSReady and DNSReady are True for the current generation, else why not. */
export function edgePending(t: Tenant | undefined): string {
  if (!t) return "not found";
  return ["TLSReady", "DNSReady"]
    .map((type) => t.status?.conditions?.find((c) => c.type === type))
    .filter((c) => c?.status !== "True" || c.observedGeneration !== t.metadata.generation)
    .map((c) => (c ? `${c.type}=${c.status} ${c.reason}: ${c.message}` : "no TLS/DNS condition"))
    .join("; ");
}

/**
 * Waits (bounded) until every tenant's certificate is issued and its DNS record published;
 * returns, per tenant still waiting, why.
 */
export async function waitForEdge(
  kc: KubeConfig,
  tenants: DemoTenant[],
  timeoutMs: number,
): Promise<Map<string, string>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = new Map<string, string>();
    for (const t of tenants) {
      const why = edgePending(await readTenant(kc, t.name));
      if (why) pending.set(t.name, why);
    }
    if (pending.size === 0 || Date.now() > deadline) return pending;
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/**
 * Deletes the namespaces of the demo's tenants and waits (bounded) until they are gone: a
 * tenant with deletionPolicy Retain (globex) keeps its namespace, and its pods would go on
 * running on a cluster the demo does not own.
 */
export async function deleteNamespaces(kubectl: Kubectl, tenants: DemoTenant[]): Promise<boolean> {
  const names = tenants.map((t) => `tenant-${t.name}`);
  const run = await kubectl([
    "delete",
    "namespace",
    ...names,
    "--ignore-not-found",
    "--wait=true",
    "--timeout=120s",
  ]);
  return run.code === 0;
}

/** What a person looks at when a tenant did not come up: its pods and the latest events. */
export async function diagnose(kubectl: Kubectl, tenants: DemoTenant[]): Promise<string> {
  const lines: string[] = [];
  for (const t of tenants) {
    const ns = `tenant-${t.name}`;
    const pods = await kubectl(["get", "pods", "-n", ns, "-o", "wide"]);
    const events = await kubectl(["get", "events", "-n", ns, "--sort-by=.lastTimestamp"]);
    lines.push(`--- ${ns}: pods`, pods.out, `--- ${ns}: events (last 8)`);
    lines.push(...events.out.split("\n").slice(-8));
  }
  return lines.join("\n");
}
