import { KubeConfig, type DispatcherOptions } from "@kubernetes/client-node";
import { Agent } from "undici";
import { describe, expect, it } from "vitest";
import { KeepAliveAgents } from "./agents.js";

function agentOptions(connect: Record<string, unknown>): DispatcherOptions {
  return { type: "agent", connect: { keepAlive: true, keepAliveInitialDelay: 30_000, ...connect } };
}

describe("KeepAliveAgents", () => {
  it("hands every request with the same credentials one keep-alive pool", () => {
    const agents = new KeepAliveAgents();
    const first = agents.reuse(agentOptions({ ca: "CA", cert: "CERT", key: "KEY" }));
    const second = agents.reuse(agentOptions({ ca: "CA", cert: "CERT", key: "KEY" }));
    expect(first).toBeInstanceOf(Agent);
    expect(second).toBe(first);
    expect(agents.size).toBe(1);
    agents.destroy();
  });

  it("makes a new pool when a credential changes (a rotated client certificate)", () => {
    const agents = new KeepAliveAgents();
    const before = agents.reuse(agentOptions({ ca: "CA", cert: "OLD", key: "KEY" }));
    const after = agents.reuse(agentOptions({ ca: "CA", cert: "NEW", key: "KEY" }));
    expect(after).not.toBe(before);
    expect(agents.size).toBe(2);
    agents.destroy();
  });

  it("keeps the choice to skip TLS verification apart from verifying pools", () => {
    const agents = new KeepAliveAgents();
    const verifying = agents.reuse(agentOptions({ ca: "CA" }));
    const skipping = agents.reuse(agentOptions({ ca: "CA", rejectUnauthorized: false }));
    expect(skipping).not.toBe(verifying);
    agents.destroy();
  });

  it("leaves requests without TLS options and proxied ones to client-node", () => {
    const agents = new KeepAliveAgents();
    expect(agents.reuse({ type: "none" })).toBeUndefined();
    expect(
      agents.reuse({
        type: "proxy",
        uri: "http://proxy:3128",
        requestTls: {},
        connect: { keepAlive: true },
      }),
    ).toBeUndefined();
    expect(agents.size).toBe(0);
  });

  it("is keyed on the options client-node computes from a kubeconfig", () => {
    const kc = new KubeConfig();
    const cluster = { name: "c", server: "https://127.0.0.1:6443", skipTLSVerify: false };
    const agents = new KeepAliveAgents();
    const a = agents.reuse(kc.createDispatcherOptions(cluster, { ca: "CA", cert: "C", key: "K" }));
    const b = agents.reuse(kc.createDispatcherOptions(cluster, { ca: "CA", cert: "C", key: "K" }));
    expect(a).toBeInstanceOf(Agent);
    expect(b).toBe(a);
    agents.destroy();
  });
});
