/**
 * The operator as a child process of the bench (the production build, dist/operator/main.js,
 * plain node), so its memory is its own: peak RSS is the kernel's VmHWM of that pid. Its
 * /metrics and /healthz listen on loopback ports the bench picks. It runs with the Helm chart's
 * NODE_OPTIONS (values.yaml `nodeOptions`), read from the chart so the bench measures what a
 * cluster runs.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import yaml from "js-yaml";
import { KWOK_PLACEMENT_FLAGS } from "../../test/cluster/node-config.js";
import { REPO, ensureBuilt } from "../lib/build.js";
import { freePort, startProcess, type Started } from "../lib/processes.js";
import { BENCH_STORAGE_CLASS, PHASE_LABEL } from "./fixtures.js";

export interface OperatorProcess {
  process: Started;
  /** The text of GET /metrics. */
  metrics(): Promise<string>;
  /** VmHWM (peak resident set) in MiB as the kernel reports it now; NaN once exited. */
  peakRssMib(): number;
  stop(): Promise<void>;
}

export interface OperatorOptions {
  kubeconfigPath: string;
  concurrency: number;
}

/** The operator's flags in this bench (see operator/config.ts for each). */
export function operatorArgs(
  o: OperatorOptions,
  metricsPort: number,
  healthPort: number,
): string[] {
  return [
    `--kubeconfig=${o.kubeconfigPath}`,
    `--max-concurrent-reconciles=${o.concurrency}`,
    "--leader-elect=false",
    "--bind-address=127.0.0.1",
    `--metrics-port=${metricsPort}`,
    `--health-port=${healthPort}`,
    `--storage-class=${BENCH_STORAGE_CLASS}`,
    ...KWOK_PLACEMENT_FLAGS,
    `--tenant-selector=${PHASE_LABEL}=operator`,
    "--log-level=warn",
  ];
}

export const ensureOperatorBuilt = (): string => ensureBuilt("operator/main.js", ["operator"]);

function vmHwmMib(pid: number): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** The operator's NODE_OPTIONS in the chart's default values ("" when it sets none). */
export function chartNodeOptions(
  values = readFileSync(join(REPO, "charts/tenant-operator/values.yaml"), "utf8"),
): string {
  const parsed = yaml.load(values) as { nodeOptions?: unknown } | undefined;
  return typeof parsed?.nodeOptions === "string" ? parsed.nodeOptions : "";
}

async function get(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, text: await response.text() };
}

export async function startOperator(
  entry: string,
  options: OperatorOptions,
): Promise<OperatorProcess> {
  const [metricsPort, healthPort] = [await freePort(), await freePort()];
  const started = await startProcess(
    process.execPath,
    [entry, ...operatorArgs(options, metricsPort, healthPort)],
    {
      env: { ...process.env, NODE_ENV: "production", NODE_OPTIONS: chartNodeOptions() },
      ready: async () => (await get(`http://127.0.0.1:${healthPort}/healthz`)).status === 200,
      readyTimeoutMs: 60_000,
    },
  );
  let lastPeak = Number.NaN;
  return {
    process: started,
    metrics: async () => {
      const { status, text } = await get(`http://127.0.0.1:${metricsPort}/metrics`);
      if (status !== 200) throw new Error(`operator /metrics answered ${status}`);
      return text;
    },
    peakRssMib: () => {
      const now = vmHwmMib(started.pid);
      if (!Number.isNaN(now)) lastPeak = now;
      return lastPeak;
    },
    stop: started.stop,
  };
}
