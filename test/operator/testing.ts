// Shared by the operator's acceptance tests (test/operator/*.cluster.test.ts): each file runs the
// BUILT operator against the run's cluster, restricted to its own Tenants by a label of its own
// (--tenant-selector), so files sharing the cluster never reconcile each other's Tenants.
//
//   const env = useOperatorEnv("reconcile");            // CRDs, volume binder, operator
//   const acme = exampleTenant("acme.yaml", env.labels);  // unique name, file's label
//   await applyManifest(acme);
//   const ready = await waitForTenant(acme.metadata.name, isReady);
import fs from "node:fs";
import path from "node:path";
import { CustomObjectsApi, type KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { afterAll, beforeAll } from "vitest";
import type { Condition, Tenant } from "../../operator/api/types.js";
import {
  TEST_LABEL,
  testCluster,
  testKubeConfig,
  uniqueName,
  waitUntil,
} from "../cluster/testing.js";
import { startVolumeBinder, type VolumeBinder } from "../cluster/volumes.js";
import { installTenantCrd, kubectl, ROOT } from "../integration/tenant-validation-helpers.js";
import { startOperator, sumMetric, type OperatorProcess } from "./operator-process.js";

export const EXAMPLES_DIR = path.join(ROOT, "examples", "tenants");
export const DNS_CRD_FIXTURE = path.join(
  import.meta.dirname,
  "fixtures",
  "dnsendpoints.externaldns.k8s.io.yaml",
);

/** The labels the issue asks for on every child. */
export const MANAGED_BY = { key: "app.kubernetes.io/managed-by", value: "tenant-operator" };
export const TENANT_LABEL = "platform.tenancy.dev/tenant";
/** Where the operator's tests point DNS (TEST-NET-1) and which issuer TLS names by default. */
export const DNS_TARGET = "192.0.2.10";
export const DEFAULT_ISSUER = { kind: "ClusterIssuer", name: "letsencrypt-test" } as const;

/** The tenant namespace of a Tenant: `tenant-<name>`. */
/**
 * For afterAll: deletes the Tenants that `selector` matches while the operator still runs (it
 * removes their finalizers), then waits up to a minute for them to be gone. Best effort: a
 * cleanup that times out does not fail the file.
 */
export async function deleteTenantsAndWait(selector: string): Promise<void> {
  await kubectl(["delete", "tenants", "-l", selector, "--wait=false"]);
  await waitUntil(
    "this file's tenants to be gone",
    async () => {
      const left = await kubectl(["get", "tenants", "-l", selector, "-o", "name"]);
      return left.code === 0 && left.stdout.trim() === "";
    },
    60_000,
  ).catch(() => {});
}

export function tenantNamespace(name: string): string {
  return `tenant-${name}`;
}

/** Runs kubectl and throws with its stderr unless it exits 0. */
export async function kubectlOk(
  args: string[],
  input?: string,
  timeoutMs?: number,
): Promise<string> {
  const run = await kubectl(args, input, timeoutMs);
  if (run.code !== 0) throw new Error(`kubectl ${args.join(" ")} failed: ${run.stderr.trim()}`);
  return run.stdout;
}

/** `kubectl apply -f -` of one object or several (sent as one List: one kubectl process). */
export async function applyManifest(objects: KubernetesObject | KubernetesObject[]): Promise<void> {
  const items = Array.isArray(objects) ? objects : [objects];
  const body = items.length === 1 ? items[0] : { apiVersion: "v1", kind: "List", items };
  await kubectlOk(["apply", "-f", "-"], JSON.stringify(body), 120_000);
}

/** Installs the minimal external-dns DNSEndpoint CRD (idempotent) and waits until it is served. */
export async function installDnsEndpointCrd(): Promise<void> {
  await kubectlOk(["apply", "--server-side", "--force-conflicts", "-f", DNS_CRD_FIXTURE]);
  await kubectlOk([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    "crd/dnsendpoints.externaldns.k8s.io",
  ]);
  await waitUntil(
    "dnsendpoints to be served",
    async () => (await kubectl(["get", "dnsendpoints", "-A"])).code === 0,
  );
}

/** Whether the cluster serves cert-manager's Certificates (the operator's tests never install it). */
export async function certManagerInstalled(): Promise<boolean> {
  return (await kubectl(["get", "crd", "certificates.cert-manager.io"])).code === 0;
}

/**
 * An example Tenant from examples/tenants/ under a unique name (`<example>-<8 hex>`) with
 * `labels`, its host moved under that name so no two tests share a host.
 */
export function exampleTenant(file: string, labels: Record<string, string>): Tenant {
  const tenant = yaml.load(fs.readFileSync(path.join(EXAMPLES_DIR, file), "utf8")) as Tenant;
  const name = uniqueName(tenant.metadata.name ?? "tenant");
  return {
    ...tenant,
    metadata: { ...tenant.metadata, name, labels: { ...tenant.metadata.labels, ...labels } },
    spec: { ...tenant.spec, host: `${name}.tenants.example.com` },
  };
}

/** A Tenant with a unique name and the smallest spec (embedded database, one pod). */
export function minimalTenant(prefix: string, labels: Record<string, string>): Tenant {
  const name = uniqueName(prefix);
  return {
    apiVersion: "platform.tenancy.dev/v1alpha1",
    kind: "Tenant",
    metadata: { name, labels },
    spec: { displayName: `Tenant ${name}`, host: `${name}.tenants.example.com` },
  };
}

const TENANTS = { group: "platform.tenancy.dev", version: "v1alpha1", plural: "tenants" };

/** Reads a Tenant (admin client). */
export async function getTenant(name: string, kc: KubeConfig = testKubeConfig()): Promise<Tenant> {
  const api = kc.makeApiClient(CustomObjectsApi);
  return (await api.getClusterCustomObject({ ...TENANTS, name })) as Tenant;
}

/** `kubectl patch tenant <name> --type=merge` of spec fields; resolves the updated Tenant. */
export async function patchTenantSpec(
  name: string,
  spec: Partial<Tenant["spec"]>,
): Promise<Tenant> {
  const patch = JSON.stringify({ spec });
  const out = await kubectlOk(["patch", "tenant", name, "--type=merge", "-p", patch, "-o", "json"]);
  return JSON.parse(out) as Tenant;
}

/** The condition of `type` in a Tenant's status. */
export function condition(tenant: Tenant, type: string): Condition | undefined {
  return tenant.status?.conditions?.find((c) => c.type === type);
}

/** Ready=True for the Tenant's current generation (what kstatus and kubectl wait read). */
export function isReady(tenant: Tenant): boolean {
  const ready = condition(tenant, "Ready");
  return (
    tenant.status?.observedGeneration === tenant.metadata.generation &&
    ready?.status === "True" &&
    ready.observedGeneration === tenant.metadata.generation
  );
}

/** Polls the Tenant until `check` holds; resolves the Tenant that passed. */
export async function waitForTenant(
  name: string,
  check: (t: Tenant) => boolean,
  what = "the expected status",
  timeoutMs = 120_000,
): Promise<Tenant> {
  let last: Tenant | undefined;
  try {
    await waitUntil(
      `Tenant ${name} to reach ${what}`,
      async () => {
        last = await getTenant(name);
        return check(last);
      },
      timeoutMs,
    );
  } catch (err) {
    const where = await namespaceSummary(name).catch((e: unknown) => String(e));
    throw new Error(
      `${(err as Error).message}\nlast status: ${JSON.stringify(last?.status, null, 1)}\n${where}`,
      { cause: err },
    );
  }
  return last!;
}

/** `kubectl get <kind> -n <ns> -o json` of one object; undefined when it does not exist. */
export async function getObject<T extends KubernetesObject = KubernetesObject>(
  kind: string,
  name: string,
  namespace?: string,
  opts: { managedFields?: boolean } = {},
): Promise<T | undefined> {
  const args = ["get", kind, name, "-o", "json"];
  if (namespace) args.push("-n", namespace);
  if (opts.managedFields) args.push("--show-managed-fields");
  const run = await kubectl(args);
  if (run.code !== 0) {
    if (/NotFound|not found/.test(run.stderr)) return undefined;
    throw new Error(`kubectl ${args.join(" ")} failed: ${run.stderr.trim()}`);
  }
  return JSON.parse(run.stdout) as T;
}

/** Every object of `kinds` (comma-separated kubectl kinds) in a namespace. */
export async function listObjects(kinds: string, namespace: string): Promise<KubernetesObject[]> {
  const out = await kubectlOk(["get", kinds, "-n", namespace, "-o", "json"]);
  return (JSON.parse(out) as { items: KubernetesObject[] }).items;
}

/** The kinds a tenant's namespace can hold, as kubectl names them. */
export const CHILD_KINDS =
  "serviceaccounts,configmaps,persistentvolumeclaims,resourcequotas,limitranges,services," +
  "deployments.apps,ingresses.networking.k8s.io,networkpolicies.networking.k8s.io," +
  "horizontalpodautoscalers.autoscaling,poddisruptionbudgets.policy," +
  "dnsendpoints.externaldns.k8s.io,roles.rbac.authorization.k8s.io,rolebindings.rbac.authorization.k8s.io";

/** `Kind/name -> {uid, resourceVersion}` of the operator's children of several tenants at once. */
export async function childVersions(
  names: string[],
): Promise<Map<string, { uid: string; resourceVersion: string }>> {
  const selector = `${MANAGED_BY.key}=${MANAGED_BY.value},${TENANT_LABEL} in (${names.join(",")})`;
  const out = await kubectlOk(
    ["get", `namespaces,${CHILD_KINDS}`, "-A", "-l", selector, "-o", "json"],
    undefined,
    60_000,
  );
  const versions = new Map<string, { uid: string; resourceVersion: string }>();
  for (const o of (JSON.parse(out) as { items: KubernetesObject[] }).items) {
    const m = o.metadata!;
    versions.set(`${o.kind} ${m.namespace ?? ""}/${m.name}`, {
      uid: m.uid!,
      resourceVersion: m.resourceVersion!,
    });
  }
  return versions;
}

export interface OperatorEnv {
  /** `{ [TEST_LABEL]: <unique> }`: put it on every Tenant of the file. */
  labels: Record<string, string>;
  /** The running operator (replace it with `restart()`). */
  op: OperatorProcess;
  /** Stops the operator (SIGTERM) and starts a new process with the same flags. */
  restart(): Promise<OperatorProcess>;
  /** Tenants to delete after the file's tests. */
  track(...names: string[]): void;
}

/**
 * For one test file: installs the Tenant and DNSEndpoint CRDs, starts the volume binder and the
 * built operator (selecting this file's Tenants; a DNS target and a default issuer set, so DNS
 * records and the cert-manager annotation are rendered), and afterwards deletes the file's
 * Tenants (letting the operator run its finalizer) and stops both.
 */
export function useOperatorEnv(
  suite: string,
  extraArgs: string[] = [],
  opts: { realNode?: boolean } = {},
): OperatorEnv {
  const value = uniqueName(`ops-${suite}`);
  const tracked = new Set<string>();
  let binder: VolumeBinder | undefined;
  const args = [
    `--dns-targets=${DNS_TARGET}`,
    `--default-issuer=${DEFAULT_ISSUER.kind}/${DEFAULT_ISSUER.name}`,
    "--crd-recheck=2",
    "--resync-period=0",
    ...extraArgs,
  ];
  const start = (): Promise<OperatorProcess> =>
    startOperator({
      kubeconfigPath: testCluster().kubeconfigPath,
      tenantSelector: `${TEST_LABEL}=${value}`,
      args,
      ...(opts.realNode ? { realNode: true } : {}),
    });
  const env: OperatorEnv = {
    labels: { [TEST_LABEL]: value },
    op: undefined as unknown as OperatorProcess,
    restart: async () => {
      await env.op.stop();
      env.op = await start();
      return env.op;
    },
    track: (...names) => names.forEach((n) => tracked.add(n)),
  };
  beforeAll(async () => {
    await installTenantCrd();
    await installDnsEndpointCrd();
    binder = await startVolumeBinder(testKubeConfig());
    env.op = await start();
  });
  afterAll(async () => {
    if (tracked.size > 0) {
      await kubectl(
        ["delete", "tenants", "--ignore-not-found", "--wait=false", ...tracked],
        undefined,
        60_000,
      );
      // Let the operator run its finalizer before it goes; best effort (the cluster is thrown away).
      await waitUntil(
        "the file's Tenants to be gone",
        async () =>
          (
            await kubectl(["get", "tenants", "-l", `${TEST_LABEL}=${value}`, "-o", "name"])
          ).stdout.trim() === "",
        60_000,
      ).catch(() => undefined);
      // Tenants with deletionPolicy Retain leave their namespace behind, by design.
      const namespaces = [...tracked].map(tenantNamespace);
      await kubectl(["delete", "namespaces", "--ignore-not-found", "--wait=false", ...namespaces]);
    }
    await env.op?.stop().catch(() => undefined);
    binder?.stop();
  });
  return env;
}

/**
 * The operator's log for failure messages: its warnings and errors first (the usual answer to
 * "why did nothing happen", and CI shows only the start of a message), then the log's tail.
 */
export function logTail(op: OperatorProcess, chars = 6000): string {
  const output = op.output();
  const problems = output
    .split("\n")
    .filter((line) => /"level":(40|50|60)\b/.test(line))
    .slice(-10);
  const head = problems.length > 0 ? `warnings and errors:\n${problems.join("\n")}\n` : "";
  return `${head}log tail:\n${output.slice(-chars)}`;
}

/** What the tenant's namespace holds and says: pods, claims, Deployments and recent events. */
export async function namespaceSummary(name: string): Promise<string> {
  const ns = tenantNamespace(name);
  const objects = await kubectl(["get", "deploy,rs,pods,pvc", "-n", ns, "-o", "wide"]);
  const events = await kubectl([
    "get",
    "events",
    "-n",
    ns,
    "--sort-by=.lastTimestamp",
    "-o",
    "custom-columns=LAST:.lastTimestamp,TYPE:.type,REASON:.reason,OBJECT:.involvedObject.name,MESSAGE:.message",
  ]);
  const tail = (text: string): string => text.trim().split("\n").slice(-15).join("\n");
  return `namespace ${ns}:\n${tail(objects.stdout + objects.stderr)}\nevents:\n${tail(events.stdout + events.stderr)}`;
}

/** The operator's own account of its work, from /metrics: reconciles, queue, informer restarts. */
export async function workSummary(op: OperatorProcess): Promise<string> {
  const text = await op.metrics().catch((err: unknown) => `metrics unavailable: ${String(err)}`);
  const lines = text
    .split("\n")
    .filter((line) =>
      /^(controller_runtime_reconcile_(total|errors_total)|workqueue_(depth|adds_total|retries_total|unfinished_work)|tenant_operator_informer_restarts_total)\b/.test(
        line,
      ),
    );
  return `operator metrics: ${lines.join("; ") || "(none)"}`;
}

/** Waits until the operator's work queue is empty and no reconcile is running. */
export async function waitForIdleQueue(op: OperatorProcess, timeoutMs = 120_000): Promise<void> {
  await waitUntil(
    "the operator's work queue to drain",
    async () => {
      const text = await op.metrics();
      return (
        sumMetric(text, "workqueue_depth") === 0 &&
        sumMetric(text, "workqueue_unfinished_work") === 0
      );
    },
    timeoutMs,
  );
}

/**
 * SIGHUP (full resync) and waits until at least `reconciles` more reconciles have completed and
 * the queue is idle again. Resolves how many completed.
 */
export async function resyncAndWait(
  op: OperatorProcess,
  reconciles: number,
  timeoutMs = 120_000,
): Promise<number> {
  const total = (): Promise<number> => op.metric("controller_runtime_reconcile_total");
  const before = await total();
  op.resync();
  await waitUntil(
    `${reconciles} reconciles after the resync`,
    async () => (await total()) >= before + reconciles,
    timeoutMs,
  );
  await waitForIdleQueue(op, timeoutMs);
  return (await total()) - before;
}
