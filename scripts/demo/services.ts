// Each demo tenant's compute service as a real process on localhost: the built service
// (dist/service/main.js) with the tenant's name, APIs and branding, and its store: a data
// directory of its own (embedded SQLite), or for a tenant on an external database a real
// PostgreSQL database (DATABASE_URL). In the cluster kwok only simulates the tenants' pods;
// these processes are what actually answers.
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { CoreV1Api, type KubeConfig } from "@kubernetes/client-node";
import type { DemoTenant } from "./tenants.js";

export interface LocalService {
  tenant: DemoTenant;
  grpcPort: number;
  httpPort: number;
  logFile: string;
  stop(): Promise<void>;
}

/**
 * Mirrors the tenant's ConfigMap `branding` into `dir` (one file per key, as the ConfigMap
 * volume of a pod would): writes changed keys, removes dropped ones. Returns true on success.
 */
export async function syncBranding(kc: KubeConfig, t: DemoTenant, dir: string): Promise<boolean> {
  let data: Record<string, string>;
  try {
    const cm = await kc
      .makeApiClient(CoreV1Api)
      .readNamespacedConfigMap({ name: "branding", namespace: `tenant-${t.name}` });
    data = cm.data ?? {};
  } catch {
    return false;
  }
  fs.mkdirSync(dir, { recursive: true });
  for (const [key, value] of Object.entries(data)) {
    const file = path.join(dir, key);
    if (!fs.existsSync(file) || fs.readFileSync(file, "utf8") !== value) {
      fs.writeFileSync(file, value);
    }
  }
  for (const file of fs.readdirSync(dir)) if (!(file in data)) fs.rmSync(path.join(dir, file));
  return true;
}

function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Starts the service of one tenant on free loopback ports; resolves once it listens. */
export async function startService(
  root: string,
  t: DemoTenant,
  tenantDir: string,
  /** The tenant's PostgreSQL; unset: the embedded store in tenantDir/data. */
  databaseUrl?: string,
): Promise<LocalService> {
  const logFile = path.join(tenantDir, "service.log");
  const dataDir = path.join(tenantDir, "data");
  fs.mkdirSync(dataDir, { recursive: true });
  const log = fs.createWriteStream(logFile, { flags: "a" });
  const services = t.manifest.spec.services;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: "127.0.0.1",
    GRPC_PORT: "0",
    HTTP_PORT: "0",
    TENANT: t.name,
    ...(services ? { SERVICES: services.join(",") } : {}),
    BRANDING_DIR: path.join(tenantDir, "branding"),
    DATA_DIR: dataDir,
    LOG_FORMAT: "json",
    SHUTDOWN_TIMEOUT_MS: "5000",
  };
  if (databaseUrl) env.DATABASE_URL = databaseUrl;
  else delete env.DATABASE_URL;
  const child = spawn(process.execPath, [path.join(root, "dist", "service", "main.js")], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const ports = await new Promise<{ grpcPort: number; httpPort: number }>((resolve, reject) => {
    let pending = "";
    child.stdout.on("data", (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split("\n");
      pending = lines.pop() ?? "";
      const started = lines.find((l) => l.includes('"service started"'));
      if (!started) return;
      const { grpcPort, httpPort } = JSON.parse(started) as { grpcPort: number; httpPort: number };
      resolve({ grpcPort, httpPort });
    });
    child.once("exit", (code) =>
      reject(new Error(`the service of ${t.name} exited (${code}) at start; see ${logFile}`)),
    );
  });
  return {
    tenant: t,
    ...ports,
    logFile,
    stop: async () => {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exitOf(child);
      clearTimeout(killer);
    },
  };
}

/** Whether the tenant serves the counter (SERVICES unset means every API). */
export function servesCounter(t: DemoTenant): boolean {
  return t.manifest.spec.services?.includes("counter") ?? true;
}

/** GET `route` (default /fibonacci/10/) until it answers 200 (bounded); resolves the body. */
export async function firstAnswer(s: LocalService, route = "/fibonacci/10/"): Promise<string> {
  const url = `http://localhost:${s.httpPort}${route}`;
  let last = "";
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
      const body = (await res.text()).trim();
      if (res.status === 200) return body;
      last = `HTTP ${res.status}: ${body}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer: ${last}`);
}
