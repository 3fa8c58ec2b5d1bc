import { describe, expect, it } from "vitest";
import type { Tenant } from "../api/types.js";
import { dnsTargetsFor, loadBalancerAddresses, recordsFor, renderDnsEndpoint } from "./dns.js";
import type { RenderConfig, RenderInputs } from "./render-config.js";
import { resolveTenant } from "./spec.js";
import { renderConfig, tenant } from "./testing/fixtures.js";

function endpointOf(t: Tenant, config: RenderConfig = renderConfig(), inputs: RenderInputs = {}) {
  return renderDnsEndpoint(resolveTenant(t, config), config, inputs);
}

describe("DNS targets", () => {
  it.each([
    {
      case: "spec targets win over config and load balancer",
      t: tenant().withDnsTargets("203.0.113.1").build(),
      config: renderConfig({ dnsTargets: ["198.51.100.1"] }),
      inputs: { ingressLoadBalancer: ["192.0.2.1"] },
      want: { source: "spec", targets: ["203.0.113.1"] },
    },
    {
      case: "config targets when the spec has none",
      t: tenant().build(),
      config: renderConfig({ dnsTargets: ["lb.example.net"] }),
      inputs: { ingressLoadBalancer: ["192.0.2.1"] },
      want: { source: "config", targets: ["lb.example.net"] },
    },
    {
      case: "the Ingress load balancer as the last resort",
      t: tenant().build(),
      config: renderConfig(),
      inputs: { ingressLoadBalancer: ["192.0.2.1"] },
      want: { source: "ingress", targets: ["192.0.2.1"] },
    },
    {
      case: "nothing known yet",
      t: tenant().build(),
      config: renderConfig(),
      inputs: {},
      want: undefined,
    },
  ])("$case", ({ t, config, inputs, want }) => {
    expect(dnsTargetsFor(resolveTenant(t, config), config, inputs)).toEqual(want);
  });
});

describe("DNS records", () => {
  it.each([
    {
      targets: ["192.0.2.2", "192.0.2.1"],
      want: [{ recordType: "A", targets: ["192.0.2.1", "192.0.2.2"] }],
    },
    { targets: ["2001:db8::1"], want: [{ recordType: "AAAA", targets: ["2001:db8::1"] }] },
    {
      targets: ["2001:db8::1", "192.0.2.1"],
      want: [
        { recordType: "A", targets: ["192.0.2.1"] },
        { recordType: "AAAA", targets: ["2001:db8::1"] },
      ],
    },
    { targets: ["lb.example.net"], want: [{ recordType: "CNAME", targets: ["lb.example.net"] }] },
    {
      targets: ["lb.example.net", "192.0.2.1"],
      want: [{ recordType: "A", targets: ["192.0.2.1"] }],
    },
  ])("$targets -> $want", ({ targets, want }) => {
    expect(recordsFor("acme.example.com", targets, 60)).toEqual(
      want.map((w) => ({ dnsName: "acme.example.com", recordTTL: 60, ...w })),
    );
  });
});

describe("the DNSEndpoint", () => {
  it("publishes both <host> and grpc.<host> with the spec's TTL", () => {
    const ep = endpointOf(
      tenant().withHost("a.example.com").withTtl(120).withDnsTargets("192.0.2.7").build(),
    );
    expect(ep?.apiVersion).toBe("externaldns.k8s.io/v1alpha1");
    expect(ep?.spec.endpoints).toEqual([
      { dnsName: "a.example.com", recordType: "A", recordTTL: 120, targets: ["192.0.2.7"] },
      { dnsName: "grpc.a.example.com", recordType: "A", recordTTL: 120, targets: ["192.0.2.7"] },
    ]);
  });

  it("defaults the TTL to 300", () => {
    expect(
      endpointOf(tenant().withDnsTargets("192.0.2.7").build())?.spec.endpoints[0]?.recordTTL,
    ).toBe(300);
  });

  it("is skipped while no target is known", () => {
    expect(endpointOf(tenant().build())).toBeUndefined();
  });

  it("is skipped when DNS is disabled, even with targets", () => {
    expect(endpointOf(tenant().dnsDisabled().withDnsTargets("192.0.2.7").build())).toBeUndefined();
  });
});

describe("the Ingress load balancer addresses", () => {
  it("collects IPs and host names from the Ingress status", () => {
    const ingress = {
      status: {
        loadBalancer: { ingress: [{ ip: "192.0.2.1" }, { hostname: "lb.example.net" }, {}] },
      },
    };
    expect(loadBalancerAddresses(ingress)).toEqual(["192.0.2.1", "lb.example.net"]);
  });

  it("is empty while the controller has published nothing", () => {
    expect(loadBalancerAddresses({})).toEqual([]);
    expect(loadBalancerAddresses(undefined)).toEqual([]);
  });

  it("feeds the DNSEndpoint when nothing else names a target", () => {
    const ingress = { status: { loadBalancer: { ingress: [{ hostname: "lb.example.net" }] } } };
    const ep = endpointOf(tenant().build(), renderConfig(), {
      ingressLoadBalancer: loadBalancerAddresses(ingress),
    });
    expect(ep?.spec.endpoints.map((e) => [e.dnsName, e.recordType, e.targets])).toEqual([
      ["acme.example.com", "CNAME", ["lb.example.net"]],
      ["grpc.acme.example.com", "CNAME", ["lb.example.net"]],
    ]);
  });
});
