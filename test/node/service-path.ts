// What stands between the host and a tenant's Service on the real node, said in one message:
// the pods (ready, restarts), the EndpointSlices the controller-manager wrote, the rules
// kube-proxy programmed for the Service, and the end of kube-proxy's log. A wait for a
// ClusterIP that times out appends it, so a failure on a CI machine explains itself.
import { spawnSync } from "node:child_process";
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, type V1Pod } from "@kubernetes/client-node";
import { logTail } from "../cluster/readiness.js";
import { readState } from "../cluster/state.js";

function podLine(p: V1Pod): string {
  const status = p.status?.containerStatuses?.[0];
  const ready = (p.status?.conditions ?? []).find((c) => c.type === "Ready")?.status;
  const last = status?.lastState?.terminated;
  const notes = [
    last ? `lastTerminated=${last.reason}(${last.exitCode})` : "",
    p.metadata?.deletionTimestamp ? "deleting" : "",
  ];
  return [
    `pod ${p.metadata?.name} ip=${p.status?.podIP} phase=${p.status?.phase}`,
    `ready=${ready} restarts=${status?.restartCount}`,
    ...notes.filter(Boolean),
  ].join(" ");
}

/** The nat and filter rules whose comment names the namespace (kube-proxy writes "ns/svc:port"). */
function proxyRules(namespace: string): string[] {
  const lines: string[] = [];
  for (const table of ["nat", "filter"]) {
    const saved = spawnSync("iptables-save", ["-t", table], { encoding: "utf8" });
    if (saved.status !== 0) {
      lines.push(`iptables-save -t ${table} failed: ${saved.stderr.trim()}`);
      continue;
    }
    const rules = saved.stdout.split("\n").filter((l) => l.includes(`${namespace}/`));
    lines.push(`${table}: ${rules.length} rule(s) for ${namespace}`, ...rules.slice(0, 15));
  }
  return lines;
}

export async function describeServicePath(
  kc: KubeConfig,
  namespace: string,
  clusterDir: string,
): Promise<string> {
  const lines: string[] = [];
  const safely = async (what: string, read: () => Promise<string[]>): Promise<void> => {
    try {
      lines.push(...(await read()));
    } catch (err) {
      lines.push(`${what}: ${(err as Error).message}`);
    }
  };
  await safely("pods", async () =>
    (await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace })).items.map(podLine),
  );
  await safely("endpointslices", async () =>
    (await kc.makeApiClient(DiscoveryV1Api).listNamespacedEndpointSlice({ namespace })).items.map(
      (s) =>
        `endpointslice ${s.metadata?.name}: ` +
        (s.endpoints ?? [])
          .map((e) => `${e.addresses.join(",")} ready=${e.conditions?.ready}`)
          .join("; "),
    ),
  );
  lines.push(...proxyRules(namespace));
  const proxyLog = readState(clusterDir)?.node?.processes["kube-proxy"]?.logFile;
  lines.push("end of kube-proxy's log:", proxyLog ? logTail(proxyLog, 20) : "(no kube-proxy)");
  return lines.join("\n");
}
