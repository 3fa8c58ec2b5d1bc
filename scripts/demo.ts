/**
 * The demo (`bash scripts/demo.sh` installs, builds, then runs this): a local Kubernetes
 * control plane, the operator reconciling examples/tenants/ until Ready, and each tenant's
 * compute service answering on localhost. Ctrl-C (SIGINT or SIGTERM) stops everything it
 * started, in reverse order, and exits 0. `--smoke` stops after each service answered once.
 *
 * What is real and what is simulated: the control plane, the operator and the services on
 * localhost are real processes; kwok simulates the tenants' pods (their Deployments become
 * Available, but no container runs in the cluster).
 */
import fs from "node:fs";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import { startCluster, stopCluster } from "../test/cluster/cluster.js";
import { defaultBinDir } from "../test/cluster/manifest.js";
import { startVolumeBinder } from "../test/cluster/volumes.js";
import { startPostgres, type PostgresServer } from "../test/postgres/server.js";
import { startOperator, type OperatorProcess } from "../test/operator/operator-process.js";
import { operatorArgsFor, placeInZone, readEndpoints, showEdge } from "./demo/edge.js";
import { Cleanup } from "./demo/cleanup.js";
import { parseOptions, USAGE, UsageError, type DemoOptions } from "./demo/options.js";
import {
  firstAnswer,
  servesCounter,
  startService,
  syncBranding,
  type LocalService,
} from "./demo/services.js";
import {
  applyObjects,
  DEMO_LABEL,
  deleteTenants,
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

/** The cluster: the one --kubeconfig names (never stopped), or a local one of the demo's own. */
async function cluster(opts: DemoOptions): Promise<{ kubeconfig: string; binDir: string }> {
  if (opts.kubeconfig) {
    say(`[demo] using the cluster of ${opts.kubeconfig} (it will be left running)`);
    return { kubeconfig: opts.kubeconfig, binDir: defaultBinDir() };
  }
  say(`[demo] starting the local control plane in ${path.relative(ROOT, opts.dir)}`);
  fs.rmSync(path.join(opts.dir, "tenants"), { recursive: true, force: true });
  cleanup.push("stopping the local control plane", async () => void (await stopCluster(opts.dir)));
  const c = await startCluster({ dir: opts.dir, log: progress, edge: true });
  return { kubeconfig: c.kubeconfigPath, binDir: c.binDir };
}

/** The edge of the demo's own cluster (endpoints.json in its directory); none on --kubeconfig. */
const edge = (opts: DemoOptions) => (opts.kubeconfig ? undefined : readEndpoints(opts.dir));

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

async function startOperatorAndTenants(
  opts: DemoOptions,
  kc: KubeConfig,
  kubeconfig: string,
  kubectl: Kubectl,
): Promise<{ tenants: DemoTenant[]; ready: boolean }> {
  const binder = await startVolumeBinder(kc);
  cleanup.push("stopping the volume binder", async () => binder.stop());
  const label = `${DEMO_LABEL}=${opts.prefix ?? "demo"}`;
  say("[demo] starting the operator (dist/operator/main.js)");
  // On its own cluster it reconciles every Tenant (try kubectl apply of your own); on a shared
  // one only the demo's.
  const op = await startOperator({
    kubeconfigPath: kubeconfig,
    ...(opts.kubeconfig ? { tenantSelector: label } : {}),
    args: operatorArgsFor(edge(opts)),
  });
  operator = op;
  let operatorGone = false;
  void op.exited.then(() => (operatorGone = true));
  cleanup.push("stopping the operator", async () => void (await op.stop()));
  const tenants = loadExampleTenants(path.join(ROOT, "examples", "tenants"), opts.prefix);
  placeInZone(tenants, edge(opts));
  say(`[demo] applying examples/tenants/: ${tenants.map((t) => t.name).join(", ")}`);
  await applyObjects(kubectl, [...tenants.map((t) => t.manifest)]);
  // On a cluster it does not own, the demo removes its Tenants while its operator still runs
  // (the operator's finalizer cleans up); its own cluster is thrown away whole.
  if (opts.kubeconfig) {
    cleanup.push("deleting the demo's Tenants", async () => {
      // A terminal's Ctrl-C reaches the operator too; without it the finalizers cannot run.
      const done = !operatorGone && (await deleteTenants(kubectl, label));
      if (!done)
        say(`[demo] left them; with an operator running: kubectl delete tenants -l ${label}`);
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

async function startServices(kc: KubeConfig, opts: DemoOptions, tenants: DemoTenant[]) {
  const services: LocalService[] = [];
  const dirOf = (t: DemoTenant): string => path.join(opts.dir, "tenants", t.name);
  cleanup.push("removing the tenants' local data", async () => {
    fs.rmSync(path.join(opts.dir, "tenants"), { recursive: true, force: true });
    if (fs.existsSync(opts.dir) && fs.readdirSync(opts.dir).length === 0) fs.rmdirSync(opts.dir);
  });
  const postgres = await postgresFor(tenants);
  for (const t of tenants) {
    if (!(await syncBranding(kc, t, path.join(dirOf(t), "branding")))) {
      say(`[demo] ${t.name}: no ConfigMap branding in tenant-${t.name} yet; default branding`);
    }
    const databaseUrl = isExternal(t) ? await postgres?.createDatabase(dbName(t)) : undefined;
    const s = await startService(ROOT, t, dirOf(t), databaseUrl);
    cleanup.push(`stopping the service of ${t.name}`, () => s.stop());
    services.push(s);
  }
  // Keep the local branding in step with the ConfigMaps, as a pod's volume would be.
  const timer = setInterval(() => {
    for (const t of tenants) void syncBranding(kc, t, path.join(dirOf(t), "branding"));
  }, 2000);
  cleanup.push("stopping the branding sync", async () => clearInterval(timer));
  return services;
}

const isExternal = (t: DemoTenant): boolean => t.manifest.spec.database?.mode === "external";
const dbName = (t: DemoTenant): string => `demo_${t.name.replace(/[^a-z0-9]/g, "_")}`;

/**
 * A throw-away PostgreSQL on loopback (Debian's, as the storage tests use) when a tenant is on
 * an external database, so its service really runs on PostgreSQL; stopped at the end.
 */
async function postgresFor(tenants: DemoTenant[]): Promise<PostgresServer | undefined> {
  const external = tenants.filter(isExternal);
  if (external.length === 0) return undefined;
  say(`[demo] starting a local PostgreSQL for ${external.map((t) => t.name).join(", ")}`);
  const server = await startPostgres();
  cleanup.push("stopping the local PostgreSQL", () => server.stop());
  return server;
}

function printTryIt(services: LocalService[], kubeconfig: string, binDir: string): void {
  say("[demo] each tenant's compute service runs on localhost (real processes):");
  for (const s of services) {
    const store = isExternal(s.tenant)
      ? ` (on the local PostgreSQL, database ${dbName(s.tenant)}, standing in for its external one)`
      : "";
    say(`  ${s.tenant.name}${store}`);
    say(`    curl http://localhost:${s.httpPort}/fibonacci/10/`);
    if (servesCounter(s.tenant)) say(`    curl http://localhost:${s.httpPort}/getCounter`);
    say(`    npm run cli -- --addr localhost:${s.grpcPort} calc add 2 3`);
    say(
      `    landing page: http://localhost:${s.httpPort}/   (log: ${path.relative(ROOT, s.logFile)})`,
    );
  }
  say(`  cluster: ${path.join(binDir, "kubectl")} --kubeconfig ${kubeconfig} get tenants`);
  say("[demo] simulated: kwok fakes the tenants' pods, so their Deployments are Available in the");
  say("  cluster but no container runs there; the services above stand in for those pods.");
}

async function main(opts: DemoOptions): Promise<void> {
  const { kubeconfig, binDir } = await cluster(opts);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfig);
  const kubectl = kubectlFor(binDir, kubeconfig);
  await installCrds(kubectl);
  const { tenants, ready } = await startOperatorAndTenants(opts, kc, kubeconfig, kubectl);
  if (!ready && opts.smoke) throw new Error("not every tenant became Ready (see above)");
  const services = await startServices(kc, opts, tenants);
  printTryIt(services, kubeconfig, binDir);
  await showEdge(tenants, edge(opts), say);
  for (const s of services) {
    say(`[demo] ${s.tenant.name}: GET /fibonacci/10/ -> ${await firstAnswer(s)}`);
    // The counter goes through the tenant's store (embedded SQLite, or globex's PostgreSQL).
    if (servesCounter(s.tenant))
      say(`[demo] ${s.tenant.name}: GET /getCounter -> ${await firstAnswer(s, "/getCounter")}`);
  }
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
  try {
    await main(opts);
  } catch (err) {
    if (cleanup.started) return; // interrupted: the signal handler finishes and exits
    console.error(`[demo] FAILED: ${(err as Error).message}`);
    if (operator)
      console.error(
        `[demo] operator log (last lines):\n${operator.output().split("\n").slice(-20).join("\n")}`,
      );
    await cleanup.run();
    process.exit(1);
  }
  if (cleanup.started) return;
  if (opts.smoke) {
    await cleanup.run();
    say("[demo] smoke run passed: every tenant's service answered");
    process.exit(0);
  }
  say("[demo] running; press Ctrl-C to stop everything");
}

await run();
