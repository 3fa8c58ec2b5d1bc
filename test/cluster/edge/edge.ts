// The edge of the local cluster: bind9 (the DNS server external-dns updates), cert-manager's
// controller with a local CA, external-dns (crd source, rfc2136 provider) and Traefik (the
// Ingress controller). Started after the control plane by startCluster({ edge: true }) and
// stopped by stopCluster; pids are kept in <dir>/edge/state.json.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { kubectlAt } from "../kubectl.js";
import { freePorts, isAlive, spawnDaemon, stopProcess } from "../processes.js";
import { answers200, waitFor, type Watched } from "../readiness.js";
import { crdDirs, ensureEdgeBinaries, namedBinary } from "./build.js";
import {
  bootstrapObjects,
  EDGE_PROCESSES,
  edgeCommand,
  edgeFiles,
  endpointsFor,
  namedConf,
  zoneFile,
  type EdgeLayout,
  type EdgeProcess,
  type Endpoints,
} from "./config.js";
import { CA_ISSUER, CERT_MANAGER_NAMESPACE, ZONES } from "./manifest.js";

interface EdgeState {
  layout: EdgeLayout;
  processes: Partial<Record<EdgeProcess, { pid: number; command: string; logFile: string }>>;
}

const TIMEOUT_MS = 120_000;

export interface EdgeOptions {
  dir: string;
  binDir: string;
  kubeconfig: string;
  logsDir: string;
  log: (line: string) => void;
}

/** Builds (once) and starts the edge; writes <dir>/endpoints.json. */
export async function startEdge(o: EdgeOptions): Promise<Endpoints> {
  await ensureEdgeBinaries(o.binDir, o.log);
  const named = namedBinary();
  const f = edgeFiles(o.dir);
  fs.mkdirSync(f.namedDir, { recursive: true });
  fs.mkdirSync(f.traefikHome, { recursive: true });
  const [dns, http, https, externalDnsMetrics, traefikPing] = await freePorts(5);
  const layout: EdgeLayout = {
    dir: o.dir,
    binDir: o.binDir,
    kubeconfig: o.kubeconfig,
    ports: {
      dns: dns!,
      http: http!,
      https: https!,
      externalDnsMetrics: externalDnsMetrics!,
      traefikPing: traefikPing!,
    },
    tsigSecret: randomBytes(32).toString("base64"),
    ownerId: `tenant-operator-${path.basename(o.dir)}`,
  };
  const state: EdgeState = { layout, processes: {} };
  const save = (): void => fs.writeFileSync(f.state, JSON.stringify(state, null, 2) + "\n");
  save();
  fs.writeFileSync(f.namedConf, namedConf(layout));
  for (const zone of ZONES) fs.writeFileSync(f.zoneFile(zone), zoneFile(zone));
  const kubectl = async (args: string[], input?: string): Promise<string> => {
    const run = await kubectlAt(o.binDir, o.kubeconfig, args, input, 120_000);
    if (run.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${run.stderr.trim()}`);
    return run.stdout;
  };
  const started = Date.now();
  const step = (msg: string): void =>
    o.log(`[cluster] ${msg} (${((Date.now() - started) / 1000).toFixed(1)}s)`);

  const launch = (name: EdgeProcess): Watched => {
    const cmd = edgeCommand(name, layout, named);
    const logFile = path.join(o.logsDir, `${name}.log`);
    const env = cmd.env ? { ...process.env, ...cmd.env } : process.env;
    const pid = spawnDaemon(cmd.command, cmd.args, logFile, env);
    state.processes[name] = { pid, command: cmd.command, logFile };
    save();
    return { name, pid, logFile };
  };

  // CRDs first: the controllers list them at start.
  for (const dir of crdDirs())
    await kubectl(["apply", "--server-side", "--force-conflicts", "-f", dir]);
  await kubectl(["wait", "--for=condition=Established", "--timeout=60s", "crd", "--all"]);
  step("cert-manager and external-dns CRDs established");

  const watched = EDGE_PROCESSES.map(launch);
  await waitFor(
    `named answering on 127.0.0.1:${layout.ports.dns}`,
    async () => /listening on IPv4|running/.test(fs.readFileSync(watched[0]!.logFile, "utf8")),
    TIMEOUT_MS,
    watched,
  );
  await kubectl(
    ["apply", "--server-side", "-f", "-"],
    JSON.stringify({ apiVersion: "v1", kind: "List", items: bootstrapObjects() }),
  );
  await waitFor(
    `ClusterIssuer ${CA_ISSUER} Ready`,
    async () =>
      (
        await kubectlAt(o.binDir, o.kubeconfig, [
          "get",
          "clusterissuer",
          CA_ISSUER,
          "-o",
          "jsonpath={.status.conditions[?(@.type=='Ready')].status}",
        ])
      ).stdout === "True",
    TIMEOUT_MS,
    watched,
  );
  const ca = await kubectl([
    "get",
    "secret",
    "-n",
    CERT_MANAGER_NAMESPACE,
    CA_ISSUER,
    "-o",
    "jsonpath={.data.ca\\.crt}",
  ]);
  fs.writeFileSync(f.caCert, Buffer.from(ca, "base64"));
  step(`cert-manager issued the local CA (${f.caCert})`);
  await waitFor(
    "Traefik /ping",
    () => answers200(`http://127.0.0.1:${layout.ports.traefikPing}/ping`),
    TIMEOUT_MS,
    watched,
  );
  const endpoints = endpointsFor(layout);
  fs.writeFileSync(f.endpoints, JSON.stringify(endpoints, null, 2) + "\n");
  step(
    `edge up: DNS ${endpoints.dns}, https ${endpoints.https}, zones ${endpoints.zones.join(",")}`,
  );
  return endpoints;
}

/** Stops the edge processes recorded in `dir` (last started first). */
export async function stopEdge(dir: string): Promise<void> {
  let state: EdgeState;
  try {
    state = JSON.parse(fs.readFileSync(edgeFiles(dir).state, "utf8")) as EdgeState;
  } catch {
    return;
  }
  for (const name of [...EDGE_PROCESSES].reverse()) {
    const p = state.processes[name];
    if (p && isAlive(p.pid)) await stopProcess(p.pid, p.command);
  }
}

/** The endpoints of the edge of the cluster in `dir`, or undefined when it has none. */
export function readEndpoints(dir: string): Endpoints | undefined {
  try {
    return JSON.parse(fs.readFileSync(edgeFiles(dir).endpoints, "utf8")) as Endpoints;
  } catch {
    return undefined;
  }
}
