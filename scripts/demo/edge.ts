// The demo's edge: example tenants are moved onto the local edge (a host in its DNS zone, the
// local CA as issuer, Traefik's IngressClass, the Ingress's address as DNS target), and each
// host is shown with `dig` against the local DNS server and `curl --cacert` through Traefik.
// A step that fails is named, never hidden: the https path is judged, not only printed.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { readEndpoints } from "../../test/cluster/edge/edge.js";
import type { Endpoints } from "../../test/cluster/edge/config.js";
import type { Tenant } from "../../operator/api/types.js";
import type { DemoTenant } from "./tenants.js";

const run = promisify(execFile);

/**
 * The edge of the cluster the demo runs on: endpoints.json in the demo's own cluster directory,
 * or beside the kubeconfig of a `cluster:up` cluster; undefined when there is none.
 */
export function edgeOf(dir: string, kubeconfig?: string): Endpoints | undefined {
  return readEndpoints(kubeconfig ? path.dirname(kubeconfig) : dir);
}

/**
 * Operator flags for the edge: default issuer (the local CA), Traefik's IngressClass, and the
 * zones external-dns manages (DNSReady checks hosts against them).
 */
export function operatorArgsFor(e: Endpoints | undefined): string[] {
  return e
    ? [
        `--default-issuer=${e.issuer}`,
        `--ingress-class=${e.ingressClass}`,
        `--dns-zones=${e.zones.join(",")}`,
      ]
    : [];
}

/**
 * Pure: moves every example tenant onto the local edge and says what it changed. The examples
 * name a public host, and some an issuer (letsencrypt-prod), an IngressClass (nginx) or a DNS
 * target that do not exist here: those give way to the operator's defaults for this edge.
 */
export function adaptToEdge(tenants: DemoTenant[], e: Endpoints | undefined): string[] {
  if (!e) return [];
  const changes: string[] = [];
  for (const t of tenants) {
    const spec: Tenant["spec"] = t.manifest.spec;
    const was: string[] = [`host ${spec.host}`];
    spec.host = `${t.name}.${e.zones[0]}`;
    if (spec.tls?.issuerRef) {
      was.push(`issuer ${spec.tls.issuerRef.kind ?? "ClusterIssuer"}/${spec.tls.issuerRef.name}`);
      delete spec.tls.issuerRef;
    }
    if (spec.ingress?.className) {
      was.push(`IngressClass ${spec.ingress.className}`);
      delete spec.ingress.className;
    }
    if (spec.dns?.targets) {
      was.push(`DNS targets ${spec.dns.targets.join(",")}`);
      delete spec.dns.targets;
    }
    changes.push(`${t.name}: host ${spec.host} (the example's ${was.join(", ")} replaced)`);
  }
  return changes;
}

export interface EdgeResult {
  tenant: string;
  host: string;
  ok: boolean;
  /** The step that failed: "DNS", "TLS", "routing (Traefik -> Service -> pod)". */
  failedStep?: string;
  detail?: string;
}

const EXPECTED = '{"response":"55"}';

/** Prints and runs dig and curl for each tenant host, as a person would type them; judges each. */
export async function showEdge(
  tenants: DemoTenant[],
  e: Endpoints,
  say: (line: string) => void,
): Promise<EdgeResult[]> {
  const [dnsIp, dnsPort] = e.dns.split(":") as [string, string];
  const [ip, port] = e.https.split(":") as [string, string];
  say(`[demo] the edge: DNS ${e.dns} (zones ${e.zones.join(", ")}), HTTPS ${e.https}, CA ${e.ca}`);
  const results: EdgeResult[] = [];
  for (const t of tenants) {
    const host = t.manifest.spec.host;
    const dig = ["@" + dnsIp, "-p", dnsPort, host, "+short"];
    say(`  $ dig ${dig.join(" ")}`);
    const resolved = await output("dig", dig);
    say(indent(resolved.text || "(no record)"));
    if (!resolved.text.split("\n").includes(ip)) {
      const detail = `dig answered ${JSON.stringify(resolved.text)}, not the ingress address ${ip}`;
      results.push({ tenant: t.name, host, ok: false, failedStep: "DNS", detail });
      continue;
    }
    const curl = ["-sS", "--max-time", "40", "--cacert", e.ca];
    curl.push("--resolve", `${host}:${port}:${ip}`, `https://${host}:${port}/fibonacci/10/`);
    say(`  $ curl ${curl.join(" ")}`);
    const answer = await output("curl", curl);
    say(indent(answer.text || "(empty answer)"));
    results.push(judgeCurl(t.name, host, answer));
  }
  return results;
}

/** Pure: what a curl run says about the https path. curl exits 35/51/58/60 on TLS failures. */
export function judgeCurl(
  tenant: string,
  host: string,
  answer: { code: number; text: string },
): EdgeResult {
  if (answer.code === 0 && answer.text === EXPECTED) return { tenant, host, ok: true };
  const tls = [35, 51, 58, 60].includes(answer.code);
  return {
    tenant,
    host,
    ok: false,
    failedStep: tls ? "TLS (certificate for the host)" : "routing (Traefik -> Service -> pod)",
    detail: `curl exit ${answer.code}: ${answer.text.slice(0, 200) || "(empty answer)"}`,
  };
}

async function output(command: string, args: string[]): Promise<{ code: number; text: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { timeout: 60_000 });
    return { code: 0, text: (stdout || stderr).trim() };
  } catch (err) {
    const e = err as { code?: number | string; stdout?: string; stderr?: string; message: string };
    const code = typeof e.code === "number" ? e.code : -1;
    return { code, text: (e.stderr || e.stdout || e.message).trim() };
  }
}

const indent = (text: string): string =>
  text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
