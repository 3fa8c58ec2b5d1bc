// What the demo shows and checks once its tenants are Ready: their pods on the real node, each
// tenant through its Service's ClusterIP (curl and the CLI, as a person types them), and the
// https path through the edge. Each check throws or reports the step that failed.
import type { KubeConfig } from "@kubernetes/client-node";
import type { Endpoints } from "../../test/cluster/edge/config.js";
import { dbName, isExternal } from "./database.js";
import { showEdge, type EdgeResult } from "./edge.js";
import {
  cliAnswer,
  cliCommand,
  httpAnswer,
  httpUrl,
  podsOffTheRealNode,
  servesCounter,
  tenantService,
  type TenantService,
} from "./pods.js";
import { waitForEdge, type DemoTenant } from "./tenants.js";

type Say = (line: string) => void;

/** Pure: how many pods the tenant should run (the autoscaler's minimum, or its replicas). */
export function expectedPods(t: DemoTenant): number {
  const spec = t.manifest.spec;
  return spec.autoscaling?.minReplicas ?? spec.replicas ?? 1;
}

/**
 * Waits (bounded) until each tenant runs its pods as Ready containers on the real node, prints
 * them with their Service, and throws when one does not.
 */
export async function showPods(
  kc: KubeConfig,
  tenants: DemoTenant[],
  say: Say,
): Promise<TenantService[]> {
  say("[demo] the tenants' pods (the image built from our Dockerfile, on the real node):");
  const services: TenantService[] = [];
  for (const t of tenants) {
    const settled = (s: TenantService): boolean =>
      s.pods.filter((p) => p.ready).length >= expectedPods(t) && podsOffTheRealNode(s).length === 0;
    let s = await tenantService(kc, t);
    for (let i = 0; i < 60 && !settled(s); i++) {
      await new Promise((r) => setTimeout(r, 2000));
      s = await tenantService(kc, t);
    }
    const store = isExternal(t) ? `PostgreSQL database ${dbName(t)}` : "embedded SQLite on its PVC";
    say(`  ${t.name} (${store}): Service ${s.clusterIp} (http ${s.httpPort}, grpc ${s.grpcPort})`);
    for (const p of s.pods) {
      const id = p.containerId.replace(/^(containerd:\/\/.{12}).*$/, "$1");
      const state = p.ready ? "Ready" : "NOT Ready";
      say(`    pod ${p.name} on ${p.node}, IP ${p.ip}, ${state}, restarts ${p.restarts}, ${id}`);
    }
    if (!settled(s)) {
      throw new Error(
        `${t.name}: expected ${expectedPods(t)} Ready containers on the real node, found: ${JSON.stringify(s.pods)}`,
      );
    }
    services.push(s);
  }
  return services;
}

/** Prints and runs, for each tenant, curl and the CLI through its Service's ClusterIP. */
export async function checkServices(
  root: string,
  services: TenantService[],
  say: Say,
): Promise<void> {
  say("[demo] each tenant through its Service (ClusterIP, kube-proxy to a pod), from this host:");
  for (const s of services) {
    const name = s.tenant.name;
    const routes = ["/fibonacci/10/", ...(servesCounter(s.tenant) ? ["/getCounter"] : [])];
    for (const route of routes) {
      say(`  $ curl ${httpUrl(s, route)}`);
      const body = await httpAnswer(httpUrl(s, route));
      say(`    ${body}`);
      say(`[demo] ${name}: GET ${route} via ClusterIP ${s.clusterIp} -> ${body}`);
    }
    const cli = cliCommand(s);
    say(`  $ ${cli.shown}`);
    const sum = await cliAnswer(root, s);
    say(`    ${sum}`);
    say(`[demo] ${name}: calc add 2 3 via ClusterIP ${s.clusterIp} -> ${sum}`);
    say(`  landing page: ${httpUrl(s, "/")}`);
  }
}

/** The https path of each tenant through the edge; results say which step failed, if any. */
export async function checkEdge(
  kc: KubeConfig,
  tenants: DemoTenant[],
  edge: Endpoints | undefined,
  say: Say,
): Promise<EdgeResult[]> {
  if (!edge) {
    say(
      "[demo] this cluster has no edge (no endpoints.json beside its kubeconfig): no https checks",
    );
    return [];
  }
  say(
    "[demo] waiting for each tenant's certificate and DNS record (TLSReady, DNSReady; at most 180 s)",
  );
  const pending = await waitForEdge(kc, tenants, 180_000);
  for (const [name, why] of pending) say(`[demo] ${name}: ${why}`);
  const results = await showEdge(tenants, edge, say);
  for (const r of results) {
    const verdict = r.ok ? "answered over https" : `FAILED at ${r.failedStep}: ${r.detail}`;
    say(`[demo] ${r.tenant}: https://${r.host} ${verdict}`);
  }
  return results;
}
