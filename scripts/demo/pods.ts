// Each demo tenant as it runs in the cluster: its pods on the real node and its Service, and the
// checks a person would type from the host: curl through the Service's ClusterIP (kube-proxy
// routes it to a pod) and the CLI's `calc add 2 3` over gRPC through the same Service.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { CoreV1Api, type KubeConfig, type V1Node, type V1Pod } from "@kubernetes/client-node";
import { Names } from "../../operator/tenant/names.js";
import { REAL_NODE_NAME } from "../../test/cluster/node-config.js";
import { get, isNodeReady } from "../../test/cluster/readiness.js";
import type { DemoTenant } from "./tenants.js";

const run = promisify(execFile);

export interface TenantService {
  tenant: DemoTenant;
  clusterIp: string;
  httpPort: number;
  grpcPort: number;
  pods: PodInfo[];
}

export interface PodInfo {
  name: string;
  node: string;
  ip: string;
  ready: boolean;
  restarts: number;
  /** containerd://<id> of the tenant's container, from the kubelet. */
  containerId: string;
  image: string;
}

/** The real node, when the cluster has one that is Ready: the demo's pods run there. */
export async function realNode(kc: KubeConfig): Promise<V1Node | undefined> {
  try {
    const node = await kc.makeApiClient(CoreV1Api).readNode({ name: REAL_NODE_NAME });
    return isNodeReady(node) ? node : undefined;
  } catch {
    return undefined;
  }
}

/** The node's InternalIP: where pods reach the host. */
export function internalIp(node: V1Node): string {
  const ip = node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
  if (!ip) throw new Error(`node ${node.metadata?.name} reports no InternalIP`);
  return ip;
}

const isPodReady = (p: V1Pod): boolean =>
  (p.status?.conditions ?? []).some((x) => x.type === "Ready" && x.status === "True");

/** Pure: what the demo says about one pod. */
export function podInfo(p: V1Pod): PodInfo {
  const c = p.status?.containerStatuses?.[0];
  return {
    name: p.metadata?.name ?? "?",
    node: p.spec?.nodeName ?? "(not scheduled)",
    ip: p.status?.podIP ?? "-",
    ready: isPodReady(p),
    restarts: c?.restartCount ?? 0,
    containerId: c?.containerID ?? "-",
    image: c?.image ?? "-",
  };
}

/** The tenant's Service (tenant-<name>) and its pods, as the cluster reports them now. */
export async function tenantService(kc: KubeConfig, t: DemoTenant): Promise<TenantService> {
  const core = kc.makeApiClient(CoreV1Api);
  const namespace = `tenant-${t.name}`;
  const services = (await core.listNamespacedService({ namespace })).items;
  // Service `tenant` carries both ports (`tenant-grpc`, for the ingress controller, only gRPC).
  const svc = services.find((s) => s.metadata?.name === Names.service);
  if (!svc?.spec?.clusterIP)
    throw new Error(`${t.name}: no Service with a ClusterIP in ${namespace}`);
  const port = (name: string): number => {
    const found = svc.spec!.ports!.find((p) => p.name === name);
    if (!found) throw new Error(`${t.name}: Service ${svc.metadata?.name} has no port ${name}`);
    return found.port;
  };
  const pods = (await core.listNamespacedPod({ namespace })).items
    .filter((p) => !p.metadata?.deletionTimestamp)
    .map(podInfo);
  return {
    tenant: t,
    clusterIp: svc.spec.clusterIP,
    httpPort: port("http"),
    grpcPort: port("grpc"),
    pods,
  };
}

/** Pure: the pods that are not Ready containers on the real node (should be none). */
export function podsOffTheRealNode(s: TenantService): PodInfo[] {
  return s.pods.filter(
    (p) => p.node !== REAL_NODE_NAME || !p.ready || !p.containerId.startsWith("containerd://"),
  );
}

/** Whether the tenant serves the counter (SERVICES unset means every API). */
export function servesCounter(t: DemoTenant): boolean {
  return t.manifest.spec.services?.includes("counter") ?? true;
}

export const httpUrl = (s: TenantService, route: string): string =>
  `http://${s.clusterIp}:${s.httpPort}${route}`;

/**
 * GET `url` until it answers 200 (bounded: kube-proxy may program the Service's rules a moment
 * after the pod turned Ready); resolves the body, rejects with the last answer.
 */
export async function httpAnswer(url: string, attempts = 30): Promise<string> {
  let last = "";
  for (let attempt = 0; attempt < attempts; attempt++) {
    try {
      // A connection per try: a kept-alive one could stay with whatever answered before
      // kube-proxy's rules existed (test/cluster/readiness.ts).
      const res = await get(url);
      const body = res.body.trim();
      if (res.status === 200) return body;
      last = `HTTP ${res.status}: ${body.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`${url} did not answer: ${last}`);
}

/** The CLI command a person types, and its arguments for node. */
export function cliCommand(s: TenantService): { shown: string; args: string[] } {
  const tail = ["--addr", `${s.clusterIp}:${s.grpcPort}`, "calc", "add", "2", "3"];
  return {
    shown: `npm run cli -- ${tail.join(" ")}`,
    args: [path.join("dist", "service", "cli", "main.js"), ...tail],
  };
}

/** Runs the CLI's `calc add 2 3` against the tenant's Service; resolves what it printed. */
export async function cliAnswer(root: string, s: TenantService): Promise<string> {
  const { args } = cliCommand(s);
  try {
    const { stdout } = await run(process.execPath, args, { cwd: root, timeout: 30_000 });
    return stdout.trim();
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `calc add 2 3 via ${s.clusterIp}:${s.grpcPort} failed: ${(e.stderr || e.stdout || e.message).trim()}`,
      { cause: err },
    );
  }
}
