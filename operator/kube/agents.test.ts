import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import { describe, expect, it } from "vitest";
import { KeepAliveAgents } from "./agents.js";

describe("KeepAliveAgents", () => {
  it("hands every request with the same credentials one keep-alive agent", () => {
    const agents = new KeepAliveAgents();
    const first = agents.reuse(new HttpsAgent({ ca: "CA", cert: "CERT", key: "KEY" }));
    const second = agents.reuse(new HttpsAgent({ ca: "CA", cert: "CERT", key: "KEY" }));
    expect(second).toBe(first);
    expect(agents.size).toBe(1);
    const options = (first as HttpsAgent & { options: Record<string, unknown> }).options;
    expect(options).toMatchObject({ ca: "CA", cert: "CERT", key: "KEY", keepAlive: true });
  });

  it("makes a new agent when a credential changes (a rotated client certificate)", () => {
    const agents = new KeepAliveAgents();
    const before = agents.reuse(new HttpsAgent({ ca: "CA", cert: "OLD", key: "KEY" }));
    const after = agents.reuse(new HttpsAgent({ ca: "CA", cert: "NEW", key: "KEY" }));
    expect(after).not.toBe(before);
    expect(agents.size).toBe(2);
  });

  it("keeps the choice to skip TLS verification apart from verifying agents", () => {
    const agents = new KeepAliveAgents();
    const verifying = agents.reuse(new HttpsAgent({ ca: "CA" }));
    const skipping = agents.reuse(new HttpsAgent({ ca: "CA", rejectUnauthorized: false }));
    expect(skipping).not.toBe(verifying);
  });

  it("passes plain HTTP and proxy agents through untouched", () => {
    const agents = new KeepAliveAgents();
    const plain = new HttpAgent();
    class ProxyAgent extends HttpsAgent {}
    const proxy = new ProxyAgent();
    expect(agents.reuse(plain)).toBe(plain);
    expect(agents.reuse(proxy)).toBe(proxy);
    expect(agents.size).toBe(0);
  });
});
