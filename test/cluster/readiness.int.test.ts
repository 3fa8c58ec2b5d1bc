// The waits' GET opens a connection per call: a wait whose early tries were answered by
// something else (a ClusterIP routed to a sandbox's egress proxy before kube-proxy programmed
// it) must reach what it awaits once that is there, not stay on a kept-alive connection.
// Checked against a real HTTP server on loopback that keeps connections alive.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answers200, get } from "./readiness.js";

describe("the waits' GET", () => {
  const server = http.createServer({ keepAlive: true, keepAliveTimeout: 60_000 }, (_req, res) =>
    res.end("ok"),
  );
  const connections: unknown[] = [];
  let base = "";

  beforeAll(async () => {
    server.on("connection", (socket) => connections.push(socket));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it("opens a new connection for each call, though the server would keep one alive", async () => {
    expect(await get(`${base}/a`)).toEqual({ status: 200, body: "ok" });
    expect(await get(`${base}/b`)).toEqual({ status: 200, body: "ok" });
    expect(await answers200(`${base}/c`)).toBe(true);
    expect(connections).toHaveLength(3);
  });
});
