/**
 * One keep-alive connection pool per set of TLS credentials. client-node 2 sends requests with
 * undici's fetch and builds a new undici Agent (a pool with no open connection) inside every
 * request (KubeConfig.applySecurityAuthentication -> createDispatcher), so each API call would
 * pay a fresh TCP + TLS handshake on both ends: at a thousand tenants that was a large share of
 * the API server's and the operator's CPU (client-node 1.4 did the same with https.Agent). We
 * take the dispatcher options client-node computes for the request (so rotated client
 * certificates and CAs are still honoured: a change of any of them gets a new pool) and hand
 * the request a pooled Agent instead.
 */
import { createHash } from "node:crypto";
import type { DispatcherOptions } from "@kubernetes/client-node";
import { Agent, type Dispatcher } from "undici";

export interface KeepAliveOptions {
  /** Connections kept per API server; bounds what the operator holds open to it. */
  maxSockets?: number;
}

/** Idle connections close after this long (undici's default, 4 s, would reconnect between reconcile bursts). */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

export class KeepAliveAgents {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly options: KeepAliveOptions = {}) {}

  /**
   * The pooled dispatcher for a request whose client-node dispatcher options are `options`.
   * Undefined when client-node would not set one either ("none": fetch's global pool, which is
   * keep-alive already) and for proxies, whose dispatchers are client-node's own to build.
   */
  reuse(options: DispatcherOptions): Dispatcher | undefined {
    if (options.type !== "agent") return undefined;
    const key = identityKey(options.connect as Record<string, unknown>);
    let pooled = this.agents.get(key);
    if (!pooled) {
      pooled = new Agent({
        connect: options.connect,
        connections: this.options.maxSockets ?? 32,
        keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      });
      this.agents.set(key, pooled);
    }
    return pooled;
  }

  /** Closes every pooled connection (shutdown). */
  destroy(): void {
    for (const agent of this.agents.values()) void agent.destroy();
    this.agents.clear();
  }

  /** How many distinct pools exist: one per set of credentials. */
  get size(): number {
    return this.agents.size;
  }
}

/** A digest of every connect option (CA, client certificate and key, verification, SNI, ...). */
function identityKey(connect: Record<string, unknown>): string {
  const hash = createHash("sha256");
  for (const k of Object.keys(connect).sort()) {
    const value = connect[k];
    hash.update(`${k}=`);
    if (value === undefined) hash.update("-");
    else if (Buffer.isBuffer(value) || typeof value === "string") hash.update(value);
    else hash.update(JSON.stringify(value));
    hash.update("\n");
  }
  return hash.digest("hex");
}
