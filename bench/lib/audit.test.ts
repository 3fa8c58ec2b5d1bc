import { describe, expect, it } from "vitest";
import { summarizeAudit } from "./audit.js";

const event = (over: Record<string, unknown>): string =>
  JSON.stringify({
    kind: "Event",
    stage: "ResponseComplete",
    verb: "patch",
    userAgent: "node",
    requestReceivedTimestamp: "2026-01-01T00:00:05.000000Z",
    objectRef: { resource: "deployments", namespace: "tenant-a", name: "app" },
    responseStatus: { code: 200 },
    ...over,
  });

const window = { from: new Date("2026-01-01T00:00:00Z"), to: new Date("2026-01-01T00:00:10Z") };

describe("summarizeAudit", () => {
  it("counts completed requests by verb, resource/subresource and code", () => {
    const log = [
      event({}),
      event({}),
      event({ objectRef: { resource: "tenants", subresource: "status" } }),
      event({ verb: "create", objectRef: { resource: "events" }, responseStatus: { code: 201 } }),
    ].join("\n");
    expect(summarizeAudit(log, window)).toEqual({
      "patch deployments 200": 2,
      "patch tenants/status 200": 1,
      "create events 201": 1,
    });
  });

  it("leaves out other stages, other times, the cluster's own components and torn lines", () => {
    const log = [
      event({ stage: "ResponseStarted" }),
      event({ requestReceivedTimestamp: "2026-01-01T00:00:11Z" }),
      event({ userAgent: "kube-controller-manager/v1.34.4 (linux/amd64)" }),
      event({ userAgent: "kwok/v0.7.0" }),
      '{"kind":"Event","stage":"Resp',
      "",
    ].join("\n");
    expect(summarizeAudit(log, window)).toEqual({});
  });
});
