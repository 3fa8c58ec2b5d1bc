import { describe, expect, it } from "vitest";
import { certificateReadyFor, dnsEndpointPublished } from "./status.js";

const endpoint = (generation: number, observed: number | undefined, names: string[]) => ({
  apiVersion: "externaldns.k8s.io/v1alpha1",
  kind: "DNSEndpoint",
  metadata: { name: "tenant", generation },
  spec: { endpoints: names.map((dnsName) => ({ dnsName, recordType: "A", targets: ["1.2.3.4"] })) },
  ...(observed === undefined ? {} : { status: { observedGeneration: observed } }),
});

describe("DNSReady observes external-dns through the DNSEndpoint's status", () => {
  const hosts = ["a.tenants.test", "grpc.a.tenants.test"];
  it("is published when external-dns observed the current generation naming every host", () => {
    expect(dnsEndpointPublished(endpoint(2, 2, hosts), hosts)).toBe(true);
  });
  it("is not published before external-dns wrote any status", () => {
    expect(dnsEndpointPublished(endpoint(1, undefined, hosts), hosts)).toBe(false);
  });
  it("is not published while external-dns has only seen an older generation", () => {
    expect(dnsEndpointPublished(endpoint(3, 2, hosts), hosts)).toBe(false);
  });
  it("is not published when the cached copy still names the old host", () => {
    const old = ["old.tenants.test", "grpc.old.tenants.test"];
    expect(dnsEndpointPublished(endpoint(2, 2, old), hosts)).toBe(false);
  });
  it("is not published without a DNSEndpoint", () => {
    expect(dnsEndpointPublished(undefined, hosts)).toBe(false);
  });
});

const certificate = (ready: string, dnsNames: string[], generation = 1, observed = 1) => ({
  apiVersion: "cert-manager.io/v1",
  kind: "Certificate",
  metadata: { name: "tenant-http-tls", generation },
  spec: { dnsNames },
  status: { conditions: [{ type: "Ready", status: ready, observedGeneration: observed }] },
});

describe("TLSReady observes cert-manager through the Certificate", () => {
  it("is ready when cert-manager says Ready for the current spec naming the host", () => {
    expect(certificateReadyFor(certificate("True", ["a.tenants.test"]), "a.tenants.test")).toBe(
      true,
    );
  });
  it("is not ready while cert-manager says False", () => {
    expect(certificateReadyFor(certificate("False", ["a.tenants.test"]), "a.tenants.test")).toBe(
      false,
    );
  });
  it("is not ready while the Certificate names the old host", () => {
    expect(certificateReadyFor(certificate("True", ["old.tenants.test"]), "a.tenants.test")).toBe(
      false,
    );
  });
  it("is not ready while Ready describes an older generation", () => {
    const c = certificate("True", ["a.tenants.test"], 2, 1);
    expect(certificateReadyFor(c, "a.tenants.test")).toBe(false);
  });
  it("is not ready without a Certificate", () => {
    expect(certificateReadyFor(undefined, "a.tenants.test")).toBe(false);
  });
});
