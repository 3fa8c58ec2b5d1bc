/**
 * One keep-alive HTTPS agent per set of TLS credentials. client-node 1.4 builds a new
 * `https.Agent` inside every request (KubeConfig.applySecurityAuthentication -> createAgent),
 * so each API call paid a fresh TCP + TLS handshake on both ends: at a thousand tenants that
 * was a large share of the API server's and the operator's CPU. We keep the credentials it
 * computed (so rotated client certificates and CAs are still honoured: a change of any of
 * them gets a new agent) and hand the request a pooled agent instead.
 */
import { createHash } from "node:crypto";
import type { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent, type AgentOptions } from "node:https";

/** The agent options that decide which server we trust and who we are. */
const IDENTITY_KEYS = [
  "ca",
  "cert",
  "key",
  "pfx",
  "passphrase",
  "rejectUnauthorized",
  "servername",
] as const;

export interface KeepAliveOptions {
  /** Sockets kept open per host; bounds the connections the operator holds to the API server. */
  maxSockets?: number;
}

export class KeepAliveAgents {
  private readonly agents = new Map<string, HttpsAgent>();

  constructor(private readonly options: KeepAliveOptions = {}) {}

  /**
   * The pooled agent to use instead of `agent` (the one client-node made for this request).
   * Proxy and plain-HTTP agents are passed through unchanged: their options are not ours to
   * copy.
   */
  reuse(agent: HttpAgent): HttpAgent {
    // Exactly https.Agent: proxy agents (subclasses of http.Agent) keep their own behaviour.
    if (!(agent instanceof HttpsAgent) || agent.constructor !== HttpsAgent) return agent;
    const options = (agent as HttpsAgent & { options: AgentOptions }).options;
    const key = identityKey(options);
    let pooled = this.agents.get(key);
    if (!pooled) {
      const identity = Object.fromEntries(
        IDENTITY_KEYS.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]),
      );
      pooled = new HttpsAgent({
        ...identity,
        keepAlive: true,
        maxSockets: this.options.maxSockets ?? 32,
        maxFreeSockets: 8,
        scheduling: "lifo",
      });
      this.agents.set(key, pooled);
    }
    return pooled;
  }

  /** Closes every pooled socket (shutdown). */
  destroy(): void {
    for (const agent of this.agents.values()) agent.destroy();
    this.agents.clear();
  }

  /** How many distinct agents exist: one per set of credentials. */
  get size(): number {
    return this.agents.size;
  }
}

function identityKey(options: AgentOptions): string {
  const hash = createHash("sha256");
  for (const k of IDENTITY_KEYS) {
    const value = options[k];
    hash.update(`${k}=`);
    if (value === undefined) hash.update("-");
    else if (Buffer.isBuffer(value) || typeof value === "string") hash.update(value);
    else hash.update(JSON.stringify(value));
    hash.update("\n");
  }
  return hash.digest("hex");
}
