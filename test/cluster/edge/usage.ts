// What `cluster:up` prints about the edge: where DNS and HTTPS answer, how to try them.
import { readEndpoints } from "./edge.js";

export function printEdgeUsage(dir: string): void {
  const e = readEndpoints(dir);
  if (!e) return;
  const [dnsHost, dnsPort] = e.dns.split(":");
  const [ip, port] = e.https.split(":");
  const host = `<tenant>.${e.zones[0]}`;
  console.log(
    [
      "Edge (endpoints.json beside the kubeconfig):",
      `  DNS server ${e.dns} for zones ${e.zones.join(", ")}; HTTPS ${e.https}, HTTP ${e.http}`,
      `  local CA: ${e.ca} (ClusterIssuer for the operator: --default-issuer=${e.issuer} --ingress-class=${e.ingressClass})`,
      `  dig @${dnsHost} -p ${dnsPort} ${host}`,
      `  curl --cacert ${e.ca} --resolve ${host}:${port}:${ip} https://${host}:${port}/`,
    ].join("\n"),
  );
}
