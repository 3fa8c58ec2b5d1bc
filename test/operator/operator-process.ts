// The built operator (dist/operator/main.js) as a child process of a test, against the run's
// cluster: the same binary users run, so the tests see what they would see. Each test file
// gives its operator a label selector of its own (--tenant-selector), so several operators
// share the run's cluster without reconciling each other's Tenants.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { diesWithParent, freePorts } from "../cluster/processes.js";
import { KWOK_PLACEMENT_FLAGS } from "../cluster/node-config.js";
import { LOCAL_STORAGE_CLASS } from "../cluster/volumes.js";

export { KWOK_PLACEMENT_FLAGS };

const REPO_ROOT = path.resolve(import.meta.dirname, "..", "..");
/** The production build the tests run; `npm run build` makes it (scripts/test.sh does). */
export const OPERATOR_ENTRY = path.join(REPO_ROOT, "dist", "operator", "main.js");

export interface OperatorOptions {
  kubeconfigPath: string;
  /**
   * Label selector on Tenants (`key=value`): the Tenants this operator reconciles. Tests must
   * set one (they share the run's cluster); only the demo on a cluster of its own omits it.
   */
  tenantSelector?: string;
  /** Leader election on a Lease of this name in `leaseNamespace` (off when unset). */
  lease?: { name: string; namespace: string; identity: string; durationSeconds?: number };
  /**
   * Run tenant pods on the real node, with the operator's default placement and the
   * cluster's default StorageClass (the real provisioner). Default: kwok nodes and the
   * `local-static` class of the tests' volume binder.
   */
  realNode?: boolean;
  /** More flags, e.g. `--resync-period=5`. */
  args?: string[];
  env?: NodeJS.ProcessEnv;
}

export interface OperatorProcess {
  readonly pid: number;
  /** Everything the process printed on stdout and stderr (its pino log), last 1 MiB. */
  output(): string;
  /** GET /metrics. */
  metrics(): Promise<string>;
  /** Sum of a counter or gauge over the series whose labels include `labels`. */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** Write requests (POST, PUT, PATCH, DELETE) this process made to the API server. */
  writes(): Promise<number>;
  /** HTTP status of GET /readyz. */
  readyz(): Promise<number>;
  /** SIGHUP: reconcile every Tenant now. */
  resync(): void;
  /** SIGTERM and wait for the exit; resolves the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for the exit. */
  kill(): Promise<void>;
  readonly exited: Promise<number | null>;
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text() };
}

/** Parses one metric family out of Prometheus text and sums the series matching `labels`. */
export function sumMetric(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][\w:]*)(\{([^}]*)\})?\s+(\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const series = Object.fromEntries(
      [...(match[3] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => series[k] === v)) sum += Number(match[4]);
  }
  return sum;
}

const live = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of live) child.kill("SIGKILL");
});

/** Starts the operator and resolves once /healthz answers. */
export async function startOperator(options: OperatorOptions): Promise<OperatorProcess> {
  if (!existsSync(OPERATOR_ENTRY)) {
    throw new Error(`${OPERATOR_ENTRY} is missing: run npm run build first`);
  }
  const [metricsPort, healthPort] = await freePorts(2);
  const args = [
    OPERATOR_ENTRY,
    `--kubeconfig=${options.kubeconfigPath}`,
    ...(options.tenantSelector ? [`--tenant-selector=${options.tenantSelector}`] : []),
    "--bind-address=127.0.0.1",
    `--metrics-port=${metricsPort}`,
    `--health-port=${healthPort}`,
    ...(options.realNode
      ? []
      : [`--storage-class=${LOCAL_STORAGE_CLASS}`, ...KWOK_PLACEMENT_FLAGS]),
    "--max-concurrent-reconciles=4",
    "--log-level=info",
  ];
  if (options.lease) {
    args.push(
      "--leader-elect=true",
      `--lease-name=${options.lease.name}`,
      `--lease-namespace=${options.lease.namespace}`,
      `--leader-identity=${options.lease.identity}`,
      `--lease-duration=${options.lease.durationSeconds ?? 6}`,
      `--renew-deadline=${Math.max(1, Math.floor((options.lease.durationSeconds ?? 6) * 0.66))}`,
      "--retry-period=1",
    );
  } else {
    args.push("--leader-elect=false");
  }
  args.push(...(options.args ?? []));
  const [command, commandArgs] = diesWithParent(process.execPath, args);
  const child = spawn(command, commandArgs, {
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let out = "";
  const collect = (chunk: Buffer): void => {
    out = (out + chunk.toString()).slice(-1_048_576);
  };
  child.stdout.on("data", collect);
  child.stderr.on("data", collect);
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => {
      live.delete(child);
      resolve(code);
    }),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));
  const base = `http://127.0.0.1`;
  const metrics = async (): Promise<string> => {
    const { status, text } = await get(`${base}:${metricsPort}/metrics`);
    if (status !== 200) throw new Error(`operator /metrics answered ${status}`);
    return text;
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (hasExited) throw new Error(`the operator exited before it served /healthz:\n${out}`);
    const ok = await get(`${base}:${healthPort}/healthz`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`the operator did not serve /healthz within 60 s:\n${out}`);
    }
    await sleep(100);
  }
  return {
    pid: child.pid!,
    output: () => out,
    metrics,
    metric: async (name, labels) => sumMetric(await metrics(), name, labels),
    writes: async () => {
      const text = await metrics();
      return ["POST", "PUT", "PATCH", "DELETE"].reduce(
        (sum, method) => sum + sumMetric(text, "rest_client_requests_total", { method }),
        0,
      );
    },
    readyz: async () => (await get(`${base}:${healthPort}/readyz`)).status,
    resync: () => child.kill("SIGHUP"),
    stop: async () => {
      if (!hasExited) child.kill("SIGTERM");
      const code = await Promise.race([exited, sleep(20_000).then(() => "timeout" as const)]);
      if (code === "timeout") {
        child.kill("SIGKILL");
        await exited;
        throw new Error(`the operator did not exit within 20 s of SIGTERM:\n${out.slice(-4000)}`);
      }
      return code;
    },
    kill: async () => {
      if (!hasExited) child.kill("SIGKILL");
      await exited;
    },
    exited,
  };
}
