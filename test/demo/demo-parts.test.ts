// The demo's pure parts: how it moves the examples onto the local edge, judges the https path,
// and decides which pods count as running on the real node.
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { Endpoints } from "../cluster/edge/config.js";
import { expectedPods } from "../../scripts/demo/checks.js";
import { dbName, useDatabases } from "../../scripts/demo/database.js";
import { adaptToEdge, judgeCurl } from "../../scripts/demo/edge.js";
import { podsOffTheRealNode, type PodInfo, type TenantService } from "../../scripts/demo/pods.js";
import { edgePending, loadExampleTenants } from "../../scripts/demo/tenants.js";

const EXAMPLES = path.resolve(import.meta.dirname, "..", "..", "examples", "tenants");
const EDGE: Endpoints = {
  dns: "127.0.0.1:5353",
  https: "127.0.0.1:8443",
  http: "127.0.0.1:8080",
  ca: "/x/ca.crt",
  zones: ["tenants.test"],
  issuer: "ClusterIssuer/local-ca",
  ingressClass: "traefik",
};

describe("adaptToEdge", () => {
  it("puts every example's host in the edge's first zone and drops what the edge lacks", () => {
    const tenants = loadExampleTenants(EXAMPLES, "p");
    const changes = adaptToEdge(tenants, EDGE);
    expect(tenants.map((t) => t.manifest.spec.host)).toEqual([
      "p-acme.tenants.test",
      "p-globex.tenants.test",
      "p-initech.tenants.test",
    ]);
    const [, globex, initech] = tenants;
    expect(globex!.manifest.spec.tls?.issuerRef).toBeUndefined();
    expect(initech!.manifest.spec.ingress?.className).toBeUndefined();
    expect(initech!.manifest.spec.dns?.targets).toBeUndefined();
    expect(initech!.manifest.spec.dns?.ttl).toBe(120); // the rest of the example stays
    expect(changes[1]).toContain("issuer ClusterIssuer/letsencrypt-prod");
    expect(changes[2]).toContain("IngressClass nginx, DNS targets 203.0.113.25");
  });

  it("changes nothing without an edge", () => {
    const tenants = loadExampleTenants(EXAMPLES);
    expect(adaptToEdge(tenants, undefined)).toEqual([]);
    expect(tenants[0]!.manifest.spec.host).toBe("acme.tenants.example.com");
  });
});

describe("judgeCurl", () => {
  it("passes only the expected answer", () => {
    expect(judgeCurl("a", "h", { code: 0, text: '{"response":"55"}' }).ok).toBe(true);
  });
  it("names routing for a 404 and TLS for a certificate error", () => {
    const notFound = judgeCurl("a", "h", { code: 0, text: "404 page not found" });
    expect(notFound).toMatchObject({ ok: false, failedStep: expect.stringMatching(/^routing/) });
    const badCert = judgeCurl("a", "h", { code: 60, text: "SSL certificate problem" });
    expect(badCert).toMatchObject({ ok: false, failedStep: expect.stringMatching(/^TLS/) });
  });
});

describe("the database Secret", () => {
  it("points the external tenant's Secret key at its own database and leaves the others", () => {
    const tenants = loadExampleTenants(EXAMPLES, "p");
    const globex = tenants.find((t) => t.example === "globex")!;
    const uri = `postgres://${dbName(globex)}:pw@10.0.0.5:5432/${dbName(globex)}`;
    useDatabases({ server: undefined as never, databases: [{ tenant: globex, uri, shown: "" }] });
    expect(dbName(globex)).toBe("demo_p_globex");
    expect(globex.secrets).toEqual([
      expect.objectContaining({
        metadata: expect.objectContaining({ name: "globex-db", namespace: "tenant-p-globex" }),
        stringData: { uri },
      }),
    ]);
  });
});

describe("pods and conditions", () => {
  const pod = (over: Partial<PodInfo>): PodInfo => ({
    name: "p",
    node: "real-node",
    ip: "10.89.0.2",
    ready: true,
    restarts: 0,
    containerId: "containerd://abc",
    image: "i",
    ...over,
  });
  const service = (pods: PodInfo[]) => ({ pods }) as unknown as TenantService;

  it("counts only Ready containerd containers on the real node", () => {
    expect(podsOffTheRealNode(service([pod({})]))).toEqual([]);
    expect(podsOffTheRealNode(service([pod({ node: "kwok-node-0" })]))).toHaveLength(1);
    expect(podsOffTheRealNode(service([pod({ ready: false })]))).toHaveLength(1);
    expect(podsOffTheRealNode(service([pod({ containerId: "-" })]))).toHaveLength(1);
  });

  it("expects the autoscaler's minimum of pods, else the replicas, else one", () => {
    const [acme, globex] = loadExampleTenants(EXAMPLES);
    expect(expectedPods(acme!)).toBe(1);
    expect(expectedPods(globex!)).toBe(2);
  });

  it("waits for TLSReady and DNSReady of the current generation", () => {
    const cond = (type: string, status: string, g = 2) => ({
      type,
      status,
      reason: "R",
      message: "m",
      observedGeneration: g,
      lastTransitionTime: "",
    });
    const tenant = (conditions: object[]) =>
      ({ metadata: { generation: 2 }, spec: {}, status: { conditions } }) as never;
    expect(edgePending(tenant([cond("TLSReady", "True"), cond("DNSReady", "True")]))).toBe("");
    expect(edgePending(tenant([cond("TLSReady", "True"), cond("DNSReady", "False")]))).toContain(
      "DNSReady=False",
    );
    expect(edgePending(tenant([cond("TLSReady", "True", 1), cond("DNSReady", "True")]))).toContain(
      "TLSReady=True",
    );
  });
});
