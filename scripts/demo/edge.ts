// The demo's edge: example tenants get hosts in the local DNS zone, the operator issues from the
// local CA through Traefik's IngressClass, and each host is shown with `dig` against the local
// DNS server and `curl --cacert` through the ingress controller.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readEndpoints } from "../../test/cluster/edge/edge.js";
import type { Endpoints } from "../../test/cluster/edge/config.js";
import type { DemoTenant } from "./tenants.js";

const run = promisify(execFile);

export { readEndpoints };

/** Operator flags for the edge: default issuer (the local CA) and Traefik's IngressClass. */
export function operatorArgsFor(e: Endpoints | undefined): string[] {
  return e ? [`--default-issuer=${e.issuer}`, `--ingress-class=${e.ingressClass}`] : [];
}

/** Moves every example tenant's host into the first local zone: <name>.<zone>. */
export function placeInZone(tenants: DemoTenant[], e: Endpoints | undefined): void {
  if (!e) return;
  for (const t of tenants) t.manifest.spec.host = `${t.name}.${e.zones[0]}`;
}

/** Prints and runs dig and curl for each tenant host, as a person would type them. */
export async function showEdge(
  tenants: DemoTenant[],
  e: Endpoints | undefined,
  say: (line: string) => void,
): Promise<void> {
  if (!e) return;
  const [dnsIp, dnsPort] = e.dns.split(":") as [string, string];
  const [ip, port] = e.https.split(":") as [string, string];
  say(`[demo] the edge: DNS ${e.dns} (zones ${e.zones.join(", ")}), HTTPS ${e.https}, CA ${e.ca}`);
  for (const t of tenants) {
    const host = t.manifest.spec.host;
    const dig = ["@" + dnsIp, "-p", dnsPort, host, "+short"];
    say(`  $ dig ${dig.join(" ")}`);
    say(indent(await output("dig", dig)));
    const curl = [
      "-sS",
      "--max-time",
      "40",
      "--cacert",
      e.ca,
      "--resolve",
      `${host}:${port}:${ip}`,
      `https://${host}:${port}/fibonacci/10/`,
    ];
    say(`  $ curl ${curl.join(" ")}`);
    say(indent(await output("curl", curl)));
  }
}

async function output(command: string, args: string[]): Promise<string> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 60_000 });
    return (stdout || stderr).trim() || "(no answer)";
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    return (e.stderr || e.stdout || e.message).trim();
  }
}

const indent = (text: string): string =>
  text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
