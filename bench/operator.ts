/**
 * npm run bench:operator [-- --quick] [--tenants N] [--concurrency C]
 *
 * On the local control plane (or KUBECONFIG's cluster): N Tenants are created with the operator
 * stopped, then the operator (production build, child process) is started and timed until all
 * are Ready. Then one forced full resync (a fresh operator process reconciles every tenant
 * again) must write nothing. Last, in the same run, a bare client creates the very children
 * the operator renders (renderTenant) for N other tenants, with plain POSTs at the same
 * concurrency: the API server's own limit. One JSON document on stdout, a summary on stderr.
 */
import type { KubeConfig } from "@kubernetes/client-node";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { parseArgs } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { requestsByMethodAndCode, sumMetric, writeRequests } from "./lib/prometheus.js";
import { summarizeAudit } from "./lib/audit.js";
import { acquireCluster, type BenchCluster, prepareCluster } from "./operator/cluster.js";
import { benchTenant } from "./operator/fixtures.js";
import {
  ensureOperatorBuilt,
  startOperator,
  type OperatorOptions,
  type OperatorProcess,
} from "./operator/operator-process.js";
import {
  bareCreate,
  childrenOf,
  countDeployments,
  countReady,
  createTenants,
  createVolumes,
  missingOptionalKinds,
} from "./operator/phases.js";

const { values: flags } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    tenants: { type: "string" },
    concurrency: { type: "string", default: "8" },
  },
});

function positive(name: string, raw: string | undefined, fallback: number): number {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    console.error(`bench:operator: --${name} must be a whole number >= 1, got ${raw}`);
    process.exit(2);
  }
  return value;
}

const tenants = positive("tenants", flags.tenants, flags.quick ? 20 : 1000);
const concurrency = positive("concurrency", flags.concurrency, 8);
// Generous: a run that times out still reports its pace, but the resync check needs all Ready.
const readyTimeoutS = Math.max(180, Math.ceil(tenants * 1.5));
const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);
const round = (n: number, digits = 2): number => Math.round(n * 10 ** digits) / 10 ** digits;

// Bound of the whole run (cluster start-up, both phases, tear-down); then the cluster is
// stopped (at most 30 s more) and everything else killed. A run killed harder leaves its
// cluster to the sweep at the next start (operator/cluster.ts).
const budgetS = 600 + readyTimeoutS * 2 + Math.ceil(tenants * 0.2);
let stopClusterOnTimeout: (() => Promise<void>) | undefined;
setTimeout(() => {
  console.error(`bench:operator: exceeded its ${budgetS} s bound; stopping`);
  void Promise.race([stopClusterOnTimeout?.(), sleep(30_000)]).finally(() => process.exit(1));
}, budgetS * 1000).unref();

const reconciles = (metrics: string): number =>
  sumMetric(metrics, "controller_runtime_reconcile_total");

interface Progress {
  /** Seconds from the operator's start until all are Ready; undefined on timeout. */
  ready?: number;
  /** ... until all N Deployments and Ingresses (rendered last) exist: the children are written. */
  children?: number;
  /** ... until all N Deployments are Available (the cluster has rolled them out). */
  available?: number;
  readyCount: number;
  /** Tenants whose children were all written at the last poll, and when (for a timed-out run). */
  written: number;
  lastPollS: number;
}

/** Polls (every 500 ms) until every operator-phase tenant is Ready, or readyTimeoutS. */
async function waitAllReady(
  kc: KubeConfig,
  operator: OperatorProcess,
  started: number,
): Promise<Progress> {
  const progress: Progress = { readyCount: 0, written: 0, lastPollS: 0 };
  let lastLog = 0;
  for (;;) {
    const elapsed = (performance.now() - started) / 1000;
    if (elapsed > readyTimeoutS) return progress;
    operator.peakRssMib();
    const [{ ready }, deployments] = [await countReady(kc, "operator"), await countDeployments(kc)];
    progress.readyCount = ready;
    progress.written = Math.min(deployments.exist, deployments.ingresses);
    progress.lastPollS = elapsed;
    if (Math.min(deployments.exist, deployments.ingresses) >= tenants)
      progress.children ??= elapsed;
    if (deployments.available >= tenants) progress.available ??= elapsed;
    if (ready >= tenants) return { ...progress, ready: elapsed };
    if (elapsed - lastLog >= 5) {
      log(
        `  ${elapsed.toFixed(0)} s: ${deployments.exist} Deployments, ${deployments.available} Available, ${ready}/${tenants} Tenants Ready`,
      );
      lastLog = elapsed;
    }
    await sleep(500);
  }
}

/** A fresh operator process re-reconciles every tenant; counts its writes once its queue is empty. */
async function forcedResync(entry: string, options: OperatorOptions) {
  const started = performance.now();
  const operator = await startOperator(entry, options);
  try {
    let quietScrapes = 0;
    let metrics = "";
    while ((performance.now() - started) / 1000 < readyTimeoutS && quietScrapes < 3) {
      await sleep(1000);
      operator.peakRssMib();
      metrics = await operator.metrics();
      const idle =
        sumMetric(metrics, "workqueue_depth") === 0 &&
        sumMetric(metrics, "workqueue_unfinished_work") === 0;
      quietScrapes = reconciles(metrics) >= tenants && idle ? quietScrapes + 1 : 0;
    }
    return {
      complete: quietScrapes >= 3,
      reconciles: reconciles(metrics),
      writes: writeRequests(metrics),
      seconds: (performance.now() - started) / 1000,
      peakRssMib: operator.peakRssMib(),
    };
  } finally {
    await operator.stop();
  }
}

/** Writes in the audit log between two instants, by the operator (not the cluster's components). */
function auditSummary(cluster: BenchCluster, from: Date, to: Date): Record<string, number> | null {
  if (!cluster.auditLogPath || !existsSync(cluster.auditLogPath)) return null;
  return summarizeAudit(readFileSync(cluster.auditLogPath, "utf8"), { from, to });
}

async function main(): Promise<void> {
  const entry = ensureOperatorBuilt();
  const cluster = await acquireCluster((line) => log(line));
  stopClusterOnTimeout = () => cluster.stop();
  try {
    const { kc } = cluster;
    await prepareCluster(cluster);
    const skipKinds = await missingOptionalKinds(kc);
    const options: OperatorOptions = { kubeconfigPath: cluster.kubeconfigPath, concurrency };

    log(`operator phase: ${tenants} tenants (volumes and Tenants created first, not timed)`);
    await createVolumes(kc, "operator", tenants, concurrency);
    await createTenants(kc, "operator", tenants, concurrency);
    const started = performance.now();
    const operatorFrom = new Date();
    const operator = await startOperator(entry, options);
    const healthyS = (performance.now() - started) / 1000;
    let progress: Progress;
    let createMetrics: string;
    try {
      progress = await waitAllReady(kc, operator, started);
      createMetrics = await operator.metrics();
    } finally {
      operator.peakRssMib();
      await operator.stop();
    }
    const peakRss = operator.peakRssMib();
    const operatorTo = new Date();
    const fmt = (s: number | undefined): string =>
      s === undefined ? "never" : `${s.toFixed(1)} s`;
    log(
      `  children written ${fmt(progress.children)}, Deployments Available ${fmt(progress.available)}, all Ready ${fmt(progress.ready)}; peak RSS ${peakRss.toFixed(0)} MiB`,
    );

    log("forced full resync: a fresh operator process reconciles every tenant again");
    const resyncFrom = new Date();
    const resync = await forcedResync(entry, options);
    const resyncTo = new Date();
    log(
      `  ${resync.reconciles} reconciles, ${resync.writes} writes in ${resync.seconds.toFixed(1)} s`,
    );

    log(`API server limit: a bare client creates the same children for ${tenants} other tenants`);
    await createVolumes(kc, "limit", tenants, concurrency);
    const limitTenants = await createTenants(kc, "limit", tenants, concurrency);
    const bare = await bareCreate(kc, limitTenants, concurrency, skipKinds);
    const apiLimit = bare.objects / bare.seconds;
    log(`  ${bare.objects} objects in ${bare.seconds.toFixed(1)} s`);

    const sample = benchTenant("operator", 0);
    sample.metadata.uid = "00000000-0000-0000-0000-000000000000";
    const objectsPerTenant = childrenOf(sample, skipKinds).length;
    const perSecond = (seconds: number | undefined): number | null =>
      seconds ? round((tenants * objectsPerTenant) / seconds, 1) : null;
    // A run that timed out still has a pace: the tenants fully written so far per second.
    const operatorObjectsPerS =
      perSecond(progress.children) ??
      (progress.lastPollS > 0
        ? round((progress.written * objectsPerTenant) / progress.lastPollS, 1)
        : null);
    const ratioOf = (rate: number | null): number | null =>
      rate === null ? null : round(rate / apiLimit, 2);
    const result = {
      tenants,
      seconds_to_ready: progress.ready === undefined ? null : round(progress.ready, 1),
      reconciles_per_s: progress.ready
        ? round(reconciles(createMetrics) / progress.ready, 1)
        : null,
      peak_rss_mib: round(peakRss, 1),
      // Only meaningful once the first operator finished: otherwise the resync does its left-over work.
      resync_writes: progress.ready !== undefined && resync.complete ? resync.writes : null,
      api_limit_objects_per_s: round(apiLimit, 1),
      ratio: ratioOf(operatorObjectsPerS),
      details: {
        ready_at_end: progress.readyCount,
        children_written_at_end: progress.written,
        ready_timeout_s: readyTimeoutS,
        concurrency: `${concurrency} (operator --max-concurrent-reconciles; bare client tenants in flight)`,
        objects_per_tenant: objectsPerTenant,
        skipped_kinds: [...skipKinds],
        seconds_to_children_written:
          progress.children === undefined ? null : round(progress.children, 1),
        seconds_to_deployments_available:
          progress.available === undefined ? null : round(progress.available, 1),
        operator_objects_per_s: operatorObjectsPerS,
        ratio_definition:
          "operator_objects_per_s / api_limit_objects_per_s, where operator_objects_per_s = tenants x objects_per_tenant / seconds_to_children_written (from the operator's start, Tenants already created)",
        ratio_until_ready: ratioOf(perSecond(progress.ready)),
        seconds_to_operator_healthy: round(healthyS, 1),
        reconciles_total: reconciles(createMetrics),
        writes_while_creating: writeRequests(createMetrics),
        requests_while_creating: requestsByMethodAndCode(createMetrics),
        audit_writes_while_creating: auditSummary(cluster, operatorFrom, operatorTo),
        audit_writes_during_resync: auditSummary(cluster, resyncFrom, resyncTo),
        resync: {
          ...resync,
          seconds: round(resync.seconds, 1),
          peakRssMib: round(resync.peakRssMib, 1),
        },
        bare_client: {
          objects: bare.objects,
          seconds: round(bare.seconds, 1),
          verb: "POST (create)",
        },
        order:
          "operator phase, resync, then the bare client on a cluster already holding the operator's tenants",
        cluster: cluster.description,
      },
      machine: {
        cpus: cpus().length,
        cpu_model: cpus()[0]?.model ?? "unknown",
        memory_gib: Math.round(totalmem() / 2 ** 30),
        loadavg_at_end: loadavg().map((n) => round(n)),
        node: process.version,
        date: new Date().toISOString(),
      },
    };
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(
      `bench:operator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    process.exit(1);
  },
);
