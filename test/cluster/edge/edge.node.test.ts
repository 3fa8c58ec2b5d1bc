// The tenant's edge with the real controllers, end to end: on a cluster of its own with the real
// node and the edge (bind9, cert-manager, external-dns, Traefik), exactly what `cluster:up`
// starts, the operator's Tenant gets a certificate from the local CA, a DNS record in the local
// zone and a route through Traefik to its pod on the real node: https://<host>/ answers from
// that pod and grpc.<host> serves calc.Calc over TLS. A host change moves all three and deleting
// the Tenant removes the record and the certificate.
//
// In the node suite (vitest.node.config.ts), after the cluster suite: the real node runs once
// per machine and the cluster suite's shared cluster holds it while that suite runs. Not in the
// shared cluster: external-dns would mark every test's DNSEndpoint observed, cert-manager would
// issue for every test's Ingress and Traefik would write every class-less Ingress's status.
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import tls from "node:tls";
import { promisify } from "node:util";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { CoreV1Api, CustomObjectsApi, DiscoveryV1Api, type V1Pod } from "@kubernetes/client-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Condition, Tenant } from "../../../operator/api/types.js";
import { LOADER_OPTIONS, PROTO_DIR } from "../../../service/server/protos.js";
import { CRD_FILE } from "../../integration/tenant-validation-helpers.js";
import { startOperator, type OperatorProcess } from "../../operator/operator-process.js";
import { startCluster, type Cluster } from "../cluster.js";
import { kubectlAt } from "../kubectl.js";
import { REAL_NODE_NAME } from "../node-config.js";
import { uniqueName, waitUntil } from "../testing.js";
import { edgeFiles } from "./config.js";
import { readEndpoints } from "./edge.js";
import type { Endpoints } from "./config.js";

const run = promisify(execFile);
const DIR = path.resolve(
  import.meta.dirname,
  "..",
  "..",
  "..",
  ".local",
  "cluster-tests",
  `edge-${process.pid}`,
);
const LABEL = { key: "tenant-operator.dev/test", value: "edge" };

let cluster: Cluster;
let edge: Endpoints;
let op: OperatorProcess;

async function kubectl(args: string[], input?: string): Promise<string> {
  const r = await kubectlAt(cluster.binDir, cluster.kubeconfigPath, args, input, 120_000);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(" ")}: ${r.stderr.trim()}`);
  return r.stdout;
}

async function getTenant(name: string): Promise<Tenant | undefined> {
  const api = cluster.kubeConfig().makeApiClient(CustomObjectsApi);
  try {
    return (await api.getClusterCustomObject({
      group: "platform.tenancy.dev",
      version: "v1alpha1",
      plural: "tenants",
      name,
    })) as Tenant;
  } catch {
    return undefined;
  }
}

const cond = (t: Tenant | undefined, type: string): Condition | undefined =>
  t?.status?.conditions?.find((c) => c.type === type);

/** Ready, TLSReady and DNSReady all True for the Tenant's current generation. */
function edgeReady(t: Tenant | undefined): boolean {
  return ["Ready", "TLSReady", "DNSReady"].every((type) => {
    const c = cond(t, type);
    return c?.status === "True" && c.observedGeneration === t?.metadata.generation;
  });
}

async function waitTenant(name: string, check: (t: Tenant | undefined) => boolean, what: string) {
  let last: Tenant | undefined;
  try {
    await waitUntil(`${name}: ${what}`, async () => check((last = await getTenant(name))), 180_000);
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\nlast status: ${JSON.stringify(last?.status, null, 1)}\noperator:\n${op.output().slice(-3000)}`,
      { cause: err },
    );
  }
  return last!;
}

/** The A records of `host` from the local DNS server (dig +short); [] for NXDOMAIN. */
async function resolve(host: string): Promise<string[]> {
  const [server, port] = edge.dns.split(":");
  const { stdout } = await run("dig", [
    `@${server}`,
    "-p",
    port!,
    host,
    "A",
    "+short",
    "+tries=1",
    "+time=2",
  ]);
  return stdout.split("\n").filter(Boolean);
}

/** The certificate Traefik serves for `host` (SNI), verified against the local CA. */
function servedCertificate(host: string): Promise<tls.PeerCertificate> {
  const [ip, port] = edge.https.split(":");
  return new Promise((resolvePromise, reject) => {
    const socket = tls.connect(
      { host: ip, port: Number(port), servername: host, ca: fs.readFileSync(edge.ca) },
      () => {
        const cert = socket.getPeerCertificate();
        socket.end();
        resolvePromise(cert);
      },
    );
    socket.on("error", reject);
  });
}

/**
 * curl as a person would (the local CA, --resolve to the ingress); resolves "<status> <body>".
 * `insecure` skips certificate checks (a host Traefik has no certificate for).
 */
async function curl(host: string, urlPath: string, insecure = false): Promise<string> {
  const [ip, port] = edge.https.split(":");
  const { stdout } = await run("curl", [
    ...(insecure ? ["--insecure"] : []),
    "-sS",
    "-w",
    " %{http_code}",
    "--max-time",
    "40",
    "--cacert",
    edge.ca,
    "--resolve",
    `${host}:${port}:${ip}`,
    `https://${host}:${port}${urlPath}`,
  ]);
  const cut = stdout.lastIndexOf(" ");
  return `${stdout.slice(cut + 1)} ${stdout.slice(0, cut)}`;
}

const curlStatus = async (host: string, urlPath = "/", insecure = false): Promise<number> =>
  Number((await curl(host, urlPath, insecure)).split(" ")[0]);

/** The Tenant's pods, read from the API server. */
async function tenantPods(name: string): Promise<V1Pod[]> {
  const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
  return (await core.listNamespacedPod({ namespace: `tenant-${name}` })).items;
}

/** The addresses behind the tenant's Service `tenant` (its EndpointSlices, from the controller-manager). */
async function serviceEndpoints(name: string): Promise<string[]> {
  const discovery = cluster.kubeConfig().makeApiClient(DiscoveryV1Api);
  const slices = await discovery.listNamespacedEndpointSlice({
    namespace: `tenant-${name}`,
    labelSelector: "kubernetes.io/service-name=tenant",
  });
  return slices.items.flatMap((s) => (s.endpoints ?? []).flatMap((e) => e.addresses));
}

/** Traefik's access log (JSON lines): which upstream address served each request. */
function accessLog(): {
  RequestHost?: string;
  RequestPath?: string;
  DownstreamStatus?: number;
  ServiceAddr?: string;
}[] {
  const file = edgeFiles(DIR).traefikAccessLog;
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ReturnType<typeof accessLog>[number]);
}

/** calc.Calc/Add over TLS through Traefik to grpc.<host>, trusting only the local CA. */
function calcAddOverTls(grpcHost: string, a: number, b: number): Promise<{ sum: string }> {
  const def = protoLoader.loadSync("calc.proto", { ...LOADER_OPTIONS, includeDirs: [PROTO_DIR] });
  const Calc = (grpc.loadPackageDefinition(def).calc as grpc.GrpcObject)
    .Calc as grpc.ServiceClientConstructor;
  const [ip, port] = edge.https.split(":");
  // Connect to the ingress address; the TLS name and :authority are the tenant's gRPC host
  // (what a client resolving grpc.<host> through the local DNS server would send).
  const client = new Calc(`${ip}:${port}`, grpc.credentials.createSsl(fs.readFileSync(edge.ca)), {
    "grpc.ssl_target_name_override": grpcHost,
    "grpc.default_authority": `${grpcHost}:${port}`,
  });
  return new Promise((resolve, reject) => {
    client.Add!({ a, b }, { deadline: Date.now() + 20_000 }, (err: unknown, res: unknown) => {
      client.close();
      if (err) reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
      else resolve(res as { sum: string });
    });
  });
}

function tenantFor(name: string, host: string): Tenant {
  return {
    apiVersion: "platform.tenancy.dev/v1alpha1",
    kind: "Tenant",
    metadata: { name, labels: { [LABEL.key]: LABEL.value } },
    spec: { displayName: `Tenant ${name}`, host },
  };
}

beforeAll(async () => {
  cluster = await startCluster({
    dir: DIR,
    nodes: 1,
    edge: true,
    realNode: true,
    ownerPid: process.pid,
    log: (line) => console.log(line),
  });
  edge = readEndpoints(DIR)!;
  await kubectl(["apply", "--server-side", "-f", CRD_FILE]);
  await kubectl(["wait", "--for=condition=Established", "--timeout=60s", "-f", CRD_FILE]);
  // The operator's default placement and StorageClass: tenant pods on the real node.
  op = await startOperator({
    kubeconfigPath: cluster.kubeconfigPath,
    tenantSelector: `${LABEL.key}=${LABEL.value}`,
    realNode: true,
    args: [
      `--default-issuer=${edge.issuer}`,
      `--ingress-class=${edge.ingressClass}`,
      `--dns-zones=${edge.zones.join(",")}`,
    ],
  });
}, 900_000);

afterAll(async () => {
  await op?.kill();
  await cluster?.stop();
}, 300_000);

describe("the edge of the local cluster", () => {
  it("writes endpoints.json with the DNS server, the ingress addresses, the CA and the zones", () => {
    expect(edge.dns).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(edge.https).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(edge.http).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(edge.zones[0]).toBe("tenants.test");
    expect(fs.readFileSync(edge.ca, "utf8")).toContain("BEGIN CERTIFICATE");
  });
});

describe("a Tenant on the edge", () => {
  const name = uniqueName("edge");
  let host = `${name}.tenants.test`;

  it("is Ready with TLSReady and DNSReady True, its host resolving to the ingress", async () => {
    await kubectl(["apply", "-f", "-"], JSON.stringify(tenantFor(name, host)));
    const t = await waitTenant(name, edgeReady, "Ready, TLSReady and DNSReady");
    expect(cond(t, "TLSReady")?.reason).toBe("CertificateIssued");
    expect(cond(t, "DNSReady")?.reason).toBe("DNSRecordsApplied");
    expect(await resolve(host)).toEqual([edge.https.split(":")[0]]);
    expect(await resolve(`grpc.${host}`)).toEqual([edge.https.split(":")[0]]);
  }, 240_000);

  it("is served by Traefik with the certificate cert-manager issued for the host from the local CA", async () => {
    const cert = await servedCertificate(host);
    expect(cert.subjectaltname).toBe(`DNS:${host}`);
    expect(cert.issuer.CN).toBe("tenant-operator local CA");
    const grpcCert = await servedCertificate(`grpc.${host}`);
    expect(grpcCert.subjectaltname).toBe(`DNS:grpc.${host}`);
    expect(grpcCert.issuer.CN).toBe("tenant-operator local CA");
    expect(await curlStatus(`unknown.${edge.zones[0]}`, "/", true)).toBe(404);
  }, 120_000);

  it("answers https://<host>/fibonacci/10/ through Traefik from the tenant's pod on the real node", async () => {
    const pods = await tenantPods(name);
    expect(pods).toHaveLength(1);
    const pod = pods[0]!;
    expect(pod.spec?.nodeName).toBe(REAL_NODE_NAME);
    expect(pod.status?.podIP).toMatch(/^10\.89\.0\./);
    // The Service's only endpoint is that pod: nothing else could have answered.
    expect(await serviceEndpoints(name)).toEqual([pod.status!.podIP]);
    // Traefik takes the route in once it sees the pod's endpoint Ready (until then: 404).
    let answer = "";
    await waitUntil(
      `https://${host}/fibonacci/10/ to answer 200`,
      async () => (answer = await curl(host, "/fibonacci/10/")).startsWith("200 "),
      60_000,
    ).catch(() => undefined);
    expect(answer).toBe('200 {"response":"55"}');
    // Traefik's own record of the answered request: routed to the pod's address on the CNI
    // bridge (the 404s before the route existed name no upstream).
    const served = (): (string | undefined)[] =>
      accessLog()
        .filter(
          (l) =>
            l.RequestHost === host &&
            l.RequestPath === "/fibonacci/10/" &&
            l.DownstreamStatus === 200,
        )
        .map((l) => l.ServiceAddr);
    await waitUntil("Traefik's access log line", async () => served().length > 0, 10_000);
    const http = pod.spec!.containers[0]!.ports!.find((p) => p.name === "http")!.containerPort;
    expect(served()).toEqual([`${pod.status!.podIP}:${http}`]);
  }, 120_000);

  it("answers calc.Calc/Add over TLS at grpc.<host> through Traefik (h2c to the pod)", async () => {
    let sum: { sum: string } | Error = new Error("no call made");
    await waitUntil(
      `calc.Calc/Add at grpc.${host}`,
      async () =>
        !(
          (sum = await calcAddOverTls(`grpc.${host}`, 20, 22).catch((e: Error) => e)) instanceof
          Error
        ),
      60_000,
    ).catch(() => undefined);
    expect(sum).toEqual({ sum: "42" });
  }, 60_000);

  it("moves record and certificate on a host change: the old name stops resolving", async () => {
    const old = host;
    host = `${name}-new.tenants.test`;
    await kubectl([
      "patch",
      "tenant",
      name,
      "--type=merge",
      "-p",
      JSON.stringify({ spec: { host } }),
    ]);
    await waitTenant(
      name,
      (t) => edgeReady(t) && t?.status?.url === `https://${host}`,
      "Ready on the new host",
    );
    expect(await resolve(host)).toEqual([edge.https.split(":")[0]]);
    await waitUntil(
      `${old} to stop resolving`,
      async () => (await resolve(old)).length === 0,
      60_000,
    );
    expect((await servedCertificate(host)).subjectaltname).toBe(`DNS:${host}`);
  }, 240_000);

  it("removes its record and its certificate when deleted", async () => {
    await kubectl(["delete", "tenant", name, "--wait=true", "--timeout=120s"]);
    await waitUntil(
      `${host} to stop resolving`,
      async () => (await resolve(host)).length === 0,
      60_000,
    );
    // The certificates go with the tenant's namespace, which the namespace controller empties
    // after the Tenant is gone: eventually, not by the time the DNS record is.
    await waitUntil(
      "the tenant's certificates to go",
      async () =>
        !(await kubectl(["get", "certificates.cert-manager.io", "-A", "-o", "name"])).includes(
          "tenant-",
        ),
      60_000,
    );
    await waitUntil(
      `namespace tenant-${name} to go`,
      async () => {
        const r = await kubectlAt(cluster.binDir, cluster.kubeconfigPath, [
          "get",
          "namespace",
          `tenant-${name}`,
        ]);
        return r.code !== 0;
      },
      120_000,
    );
  }, 240_000);
});

// external-dns (crd source) writes status.observedGeneration on every DNSEndpoint it reads,
// also on one whose names its --domain-filter keeps out of the zone: observed is not published.
describe("a Tenant whose host is outside the zones external-dns manages", () => {
  const name = uniqueName("edge-out");
  const host = `${name}.outside.test`;

  it("is DNSReady=False (HostOutsideDNSZones), though external-dns observed its record, and nothing resolves", async () => {
    await kubectl(["apply", "-f", "-"], JSON.stringify(tenantFor(name, host)));
    const t = await waitTenant(
      name,
      (x) => cond(x, "DNSReady")?.reason === "HostOutsideDNSZones",
      "DNSReady=False with reason HostOutsideDNSZones",
    );
    expect(cond(t, "DNSReady")?.status).toBe("False");
    expect(cond(t, "DNSReady")?.message).toContain(edge.zones[0]);
    await waitUntil(
      "external-dns to observe the out-of-zone DNSEndpoint",
      async () => {
        const e = JSON.parse(
          await kubectl(["get", "dnsendpoints", "-n", `tenant-${name}`, "-o", "json"]),
        ) as {
          items: { metadata: { generation?: number }; status?: { observedGeneration?: number } }[];
        };
        const record = e.items[0];
        return (
          record !== undefined && record.status?.observedGeneration === record.metadata.generation
        );
      },
      120_000,
    );
    // dig prints no address (an error, if any, is a ";;" comment line)
    expect((await resolve(host)).filter((line) => !line.startsWith(";"))).toEqual([]);
    await kubectl(["delete", "tenant", name, "--wait=true", "--timeout=120s"]);
  }, 300_000);
});
