/**
 * The demo (`bash scripts/demo.sh` installs, builds, then runs this): a local Kubernetes
 * cluster with a real node and the edge, the operator reconciling examples/tenants/ until Ready,
 * each tenant's pods running the image built from our Dockerfile on the real node and answering
 * through the tenant's Service (ClusterIP, via kube-proxy) and, over https, through the edge
 * (local DNS, cert-manager's local CA, Traefik). Ctrl-C (SIGINT or SIGTERM) stops everything it
 * started, in reverse order, and exits 0. `--smoke` stops after every check ran once.
 *
 * Still simulated: the kwok nodes beside the real one (tainted; nothing of the demo runs there).
 */
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import type { Endpoints } from "../test/cluster/edge/config.js";
import { startCluster, stopCluster } from "../test/cluster/cluster.js";
import { defaultBinDir } from "../test/cluster/manifest.js";
import { importTenantImage } from "../test/cluster/node.js";
import { readState } from "../test/cluster/state.js";
import { startOperator, type OperatorProcess } from "../test/operator/operator-process.js";
import { isExternal, startDatabase, useDatabases } from "./demo/database.js";
import { adaptToEdge, edgeOf, operatorArgsFor, type EdgeResult } from "./demo/edge.js";
import { Cleanup } from "./demo/cleanup.js";
import { parseOptions, USAGE, UsageError, type DemoOptions } from "./demo/options.js";
import { checkEdge, checkServices, showPods } from "./demo/checks.js";
import { internalIp, realNode } from "./demo/pods.js";
import {
  applyObjects,
  DEMO_LABEL,
  deleteNamespaces,
  deleteTenants,
  diagnose,
  kubectlFor,
  loadExampleTenants,
  tenantTable,
  waitForTenants,
  type DemoTenant,
  type Kubectl,
} from "./demo/tenants.js";

const ROOT = path.resolve(import.meta.dirname, "..");
const say = (line: string): void => console.log(line);
const cleanup = new Cleanup(say);
/** Progress of steps still running when Ctrl-C came is noise: quiet once stopping. */
const progress = (line: string): void => {
  if (!cleanup.started) say(line);
};
let operator: OperatorProcess | undefined;
/** Set once the tenants are applied: what to diagnose when a later step fails. */
let applied: { kubectl: Kubectl; tenants: DemoTenant[] } | undefined;

/** The cluster: the one --kubeconfig names (never stopped), or a local one of the demo's own. */
async function cluster(opts: DemoOptions): Promise<{ kubeconfig: string; binDir: string }> {
  if (opts.kubeconfig) {
    say(`[demo] using the cluster of ${opts.kubeconfig} (it will be left running)`);
    const stateDir = path.dirname(opts.kubeconfig);
    const state = readState(stateDir);
    if (state?.node) {
      say("[demo] making sure its real node has the current image (built from our Dockerfile)");
      await importTenantImage(stateDir, progress);
    }
    return { kubeconfig: opts.kubeconfig, binDir: state?.binDir ?? defaultBinDir() };
  }
  say(`[demo] starting the local cluster in ${path.relative(ROOT, opts.dir)}: control plane,`);
  say("  a real node (containerd, kubelet, kube-proxy; the image built from our Dockerfile),");
  say("  kwok nodes, and the edge (bind9, cert-manager, external-dns, Traefik)");
  cleanup.push("stopping the local cluster (its real node drained)", async () => {
    await stopCluster(opts.dir);
  });
  const c = await startCluster({ dir: opts.dir, log: progress, edge: true });
  return { kubeconfig: c.kubeconfigPath, binDir: c.binDir };
}

async function installCrds(kubectl: Kubectl): Promise<void> {
  say("[demo] installing the CRDs (crds/)");
  const crds = path.join(ROOT, "crds");
  for (const args of [
    ["apply", "--server-side", "--force-conflicts", "-f", crds],
    ["wait", "--for=condition=Established", "--timeout=60s", "-f", crds],
  ]) {
    const run = await kubectl(args);
    if (run.code !== 0) throw new Error(`kubectl ${args[0]} of crds/ failed: ${run.out}`);
  }
}

/** The example tenants, moved onto the edge, with their external databases started. */
async function prepareTenants(
  opts: DemoOptions,
  kc: KubeConfig,
  edge: Endpoints | undefined,
): Promise<DemoTenant[]> {
  const tenants = loadExampleTenants(path.join(ROOT, "examples", "tenants"), opts.prefix);
  const changes = adaptToEdge(tenants, edge);
  if (changes.length > 0) {
    say(`[demo] the example tenants on the local edge (zone ${edge!.zones[0]}):`);
    for (const c of changes) say(`  ${c}`);
  }
  const node = await realNode(kc);
  if (!node) {
    throw new Error(
      "the cluster has no Ready real node (real-node): the demo runs its tenants' pods there " +
        "(on a cluster of its own it starts one; another cluster on this machine may hold it)",
    );
  }
  const external = tenants.filter(isExternal).map((t) => t.name);
  if (external.length > 0) {
    say(`[demo] starting PostgreSQL (Debian's) for ${external.join(", ")}, on the node's address`);
  }
  const db = await startDatabase(tenants, internalIp(node));
  if (db) {
    cleanup.push("stopping the PostgreSQL", () => db.server.stop());
    for (const d of db.databases) say(`  ${d.tenant.name}: ${d.shown} (in its Secret)`);
  }
  useDatabases(db);
  return tenants;
}

async function startOperatorAndTenants(
  opts: DemoOptions,
  kc: KubeConfig,
  kubeconfig: string,
  kubectl: Kubectl,
  edge: Endpoints | undefined,
): Promise<{ tenants: DemoTenant[]; ready: boolean }> {
  const tenants = await prepareTenants(opts, kc, edge);
  const label = `${DEMO_LABEL}=${opts.prefix ?? "demo"}`;
  say("[demo] starting the operator (dist/operator/main.js): tenant pods on the real node");
  // On its own cluster it reconciles every Tenant (try kubectl apply of your own); on a shared
  // one only the demo's. Default placement: the real node (kwok nodes are tainted).
  const op = await startOperator({
    kubeconfigPath: kubeconfig,
    realNode: true,
    ...(opts.kubeconfig ? { tenantSelector: label } : {}),
    args: operatorArgsFor(edge),
  });
  operator = op;
  let operatorGone = false;
  void op.exited.then(() => (operatorGone = true));
  cleanup.push("stopping the operator", async () => void (await op.stop()));
  say(`[demo] applying examples/tenants/: ${tenants.map((t) => t.name).join(", ")}`);
  await applyObjects(kubectl, [...tenants.map((t) => t.manifest)]);
  applied = { kubectl, tenants };
  // On a cluster it does not own, the demo removes its Tenants while its operator still runs
  // (the operator's finalizer cleans up), then the namespaces a Retain policy keeps, so no pod
  // of the demo's is left on the node; its own cluster is thrown away whole.
  if (opts.kubeconfig) {
    cleanup.push("deleting the demo's Tenants and their namespaces", async () => {
      // A terminal's Ctrl-C reaches the operator too; without it the finalizers cannot run.
      const done = !operatorGone && (await deleteTenants(kubectl, label));
      if (!done)
        say(`[demo] left them; with an operator running: kubectl delete tenants -l ${label}`);
      else if (!(await deleteNamespaces(kubectl, tenants)))
        say(`[demo] their namespaces are not gone yet: kubectl get ns | grep tenant-`);
    });
  }
  say(`[demo] waiting for the tenants to be Ready (at most ${opts.readyTimeoutMs / 1000} s)`);
  const states = await waitForTenants(kc, kubectl, tenants, opts.readyTimeoutMs, progress);
  say("");
  say(tenantTable(tenants, states));
  say("");
  const notReady = tenants.filter((t) => !states.get(t.name)?.ready);
  for (const t of notReady) say(`[demo] ${t.name} is not Ready: ${states.get(t.name)?.summary}`);
  return { tenants, ready: notReady.length === 0 };
}

function printSummary(opts: DemoOptions, kubeconfig: string, binDir: string, edge?: Endpoints) {
  say(
    `[demo] cluster: ${path.join(binDir, "kubectl")} --kubeconfig ${kubeconfig} get tenants,pods -A`,
  );
  if (edge && !opts.kubeconfig)
    say(`[demo] the edge's addresses: ${path.join(path.dirname(kubeconfig), "endpoints.json")}`);
  say(
    "[demo] real: the control plane, the node (containerd, runc, CNI, kube-proxy) and the tenants'",
  );
  say(`  pods, PostgreSQL${edge ? ", bind9, cert-manager, external-dns, Traefik" : ""}.`);
  say(
    "[demo] simulated: the kwok nodes (tainted; for scale tests, nothing of the demo runs there).",
  );
  say("  Not shown: autoscaling (no metrics server here, so globex's HPA keeps its minimum).");
}
async function main(opts: DemoOptions): Promise<EdgeResult[]> {
  const { kubeconfig, binDir } = await cluster(opts);
  const edge = edgeOf(opts.dir, opts.kubeconfig);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const kubectl = kubectlFor(binDir, kubeconfig);
  await installCrds(kubectl);
  const { tenants, ready } = await startOperatorAndTenants(opts, kc, kubeconfig, kubectl, edge);
  if (!ready && opts.smoke) throw new Error("not every tenant became Ready (see above)");
  const services = await showPods(kc, tenants, say);
  await checkServices(ROOT, services, say);
  const results = await checkEdge(kc, tenants, edge, say);
  printSummary(opts, kubeconfig, binDir, edge);
  return results;
}

function onSignal(signal: string): void {
  if (cleanup.started) return;
  say(`\n[demo] ${signal}: stopping everything the demo started`);
  void cleanup.run().then(() => process.exit(0));
}

async function run(): Promise<void> {
  let opts: DemoOptions;
  try {
    opts = parseOptions(process.argv.slice(2), ROOT);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    console.error(err.message ? `${err.message}\n${USAGE}` : USAGE);
    process.exit(err.message ? 2 : 0);
  }
  process.on("SIGINT", () => onSignal("SIGINT"));
  process.on("SIGTERM", () => onSignal("SIGTERM"));
  let edge: EdgeResult[];
  try {
    edge = await main(opts);
  } catch (err) {
    if (cleanup.started) return; // interrupted: the signal handler finishes and exits
    console.error(`[demo] FAILED: ${(err as Error).message}`);
    if (operator)
      console.error(
        `[demo] operator log (last lines):\n${operator.output().split("\n").slice(-20).join("\n")}`,
      );
    if (applied) console.error(await diagnose(applied.kubectl, applied.tenants));
    await cleanup.run();
    process.exit(1);
  }
  if (cleanup.started) return;
  const failed = edge.filter((r) => !r.ok);
  if (opts.smoke) {
    await cleanup.run();
    if (failed.length > 0) {
      for (const r of failed)
        console.error(`[demo] smoke: https://${r.host} FAILED at ${r.failedStep}: ${r.detail}`);
      console.error(
        "[demo] smoke run FAILED: every tenant answered through its ClusterIP, but not over https",
      );
      process.exit(1);
    }
    const https = edge.length > 0 ? " and over https through the edge" : "";
    say(`[demo] smoke run passed: every tenant's pods answered through its ClusterIP${https}`);
    process.exit(0);
  }
  if (failed.length > 0)
    say(`[demo] the https path FAILED for ${failed.map((r) => r.tenant).join(", ")} (see above)`);
  say("[demo] running; press Ctrl-C to stop everything");
}

await run();
