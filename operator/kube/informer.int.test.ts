// The operator's request and watch paths over real HTTP on loopback, against a small server
// that answers like the API server (a list, then a watch that stays silent): what a client
// library update could change underneath us. The same paths against a real kube-apiserver
// are covered by the cluster tests (test/operator, test/reliability/faults).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { KubeConfig, type KubernetesObject } from "@kubernetes/client-node";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMetrics, type Metrics } from "../metrics.js";
import { KubeClient } from "./client.js";
import { Informer } from "./informer.js";

const PATH = "/api/v1/configmaps";

interface FakeApi {
  server: Server;
  connections: number;
  lists: number;
  watches: number;
  userAgents: string[];
  authorizations: string[];
}

let api: FakeApi;
let kc: KubeConfig;
let metrics: Metrics;
let client: KubeClient;

beforeEach(async () => {
  api = { connections: 0, lists: 0, watches: 0, userAgents: [], authorizations: [] } as never;
  api.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    api.userAgents.push(String(req.headers["user-agent"]));
    api.authorizations.push(String(req.headers.authorization));
    const url = new URL(req.url ?? "/", "http://localhost");
    if (url.searchParams.get("watch") === "true") {
      api.watches += 1;
      // Headers, then nothing: a quiet resource (or a silently dead connection).
      res.writeHead(200, { "content-type": "application/json" });
      res.flushHeaders();
      return;
    }
    api.lists += 1;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        kind: "ConfigMapList",
        apiVersion: "v1",
        metadata: { resourceVersion: "7" },
        items: [{ metadata: { name: "one", namespace: "default", resourceVersion: "7" } }],
      }),
    );
  });
  api.server.on("connection", () => (api.connections += 1));
  await new Promise<void>((resolve) => api.server.listen(0, "127.0.0.1", resolve));
  const { port } = api.server.address() as AddressInfo;
  kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "fake", server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: "op", token: "secret-token" }],
    contexts: [{ name: "fake", cluster: "fake", user: "op" }],
    currentContext: "fake",
  });
  metrics = createMetrics();
  client = new KubeClient(kc, metrics, 10_000);
});

afterEach(async () => {
  client.close();
  api.server.closeAllConnections();
  await new Promise((resolve) => api.server.close(resolve));
});

function informer(stallSeconds: number): Informer<KubernetesObject> {
  return new Informer<KubernetesObject>(
    client,
    { name: "configmaps", path: PATH, stallSeconds, watchTimeoutSeconds: 300 },
    pino({ level: "silent" }),
    metrics,
  );
}

async function restarts(cause: string): Promise<number> {
  const values = (await metrics.informerRestarts.get()).values;
  return values.filter((v) => v.labels.cause === cause).reduce((sum, v) => sum + v.value, 0);
}

describe("KubeClient over client-node 2", () => {
  it("sends its requests over kept-alive connections, with its credentials and name", async () => {
    for (let i = 0; i < 10; i++) await client.get(`${PATH}/x`);
    expect(api.lists).toBe(10);
    // undici may open a second connection while the first is being released; never one per request.
    expect(api.connections).toBeLessThanOrEqual(2);
    expect(new Set(api.authorizations)).toEqual(new Set(["Bearer secret-token"]));
    expect(api.userAgents[0]).toMatch(/^tenant-operator \(linux\/\w+\) node\/v24\./);
  });
});

describe("Informer over client-node 2", () => {
  it("keeps a quiet watch open past client-node's 30 s inactivity timer", async () => {
    const inf = informer(120);
    inf.start();
    try {
      await expect.poll(() => api.watches, { timeout: 10_000 }).toBe(1);
      expect(inf.hasSynced()).toBe(true);
      expect(inf.get("one", "default")?.metadata?.resourceVersion).toBe("7");
      await sleep(35_000);
      expect(api.watches).toBe(1);
      expect(api.lists).toBe(1);
      expect(await restarts("error")).toBe(0);
    } finally {
      await inf.stop();
    }
  }, 60_000);

  it("re-lists when the watch goes silent for longer than the watchdog allows", async () => {
    const inf = informer(2);
    inf.start();
    try {
      await expect.poll(() => api.lists, { timeout: 20_000 }).toBeGreaterThanOrEqual(2);
      expect(await restarts("stall")).toBeGreaterThanOrEqual(1);
      expect(await restarts("error")).toBe(0);
      expect(inf.get("one", "default")).toBeDefined();
    } finally {
      await inf.stop();
    }
  }, 30_000);
});
