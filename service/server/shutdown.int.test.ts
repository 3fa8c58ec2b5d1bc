import * as grpc from "@grpc/grpc-js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { client, unary } from "./testing/harness.js";
import { type ServiceProcess, startServiceProcess } from "./testing/spawn.js";

const started: ServiceProcess[] = [];
const dirs: string[] = [];

function start(env: Record<string, string>): ServiceProcess {
  const dataDir = mkdtempSync(join(tmpdir(), "service-shutdown-"));
  dirs.push(dataDir);
  const service = startServiceProcess({ DATA_DIR: dataDir, ...env });
  started.push(service);
  return service;
}

afterEach(() => {
  for (const s of started.splice(0)) if (s.child.exitCode === null) s.child.kill("SIGKILL");
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("process lifecycle", () => {
  it("on SIGTERM goes NOT_SERVING and unready, drains, and exits 0", async () => {
    const service = start({ SHUTDOWN_DRAIN_DELAY_MS: "5000", SERVICES: "calculator" });
    const up = await service.waitForLog((l) => l.msg === "service started");
    const grpcAddress = `127.0.0.1:${String(up.grpcPort)}`;
    const httpBase = `http://127.0.0.1:${String(up.httpPort)}`;

    const health = client("grpc.health.v1.Health", grpcAddress) as grpc.Client & {
      Watch(request: object): grpc.ClientReadableStream<{ status: string }>;
    };
    const statuses: string[] = [];
    const watch = health.Watch({ service: "" });
    const seen = (status: string) =>
      new Promise<void>((resolve, reject) => {
        watch.on("data", (m: { status: string }) => {
          if (m.status === status) resolve();
        });
        watch.on("error", reject);
      });
    watch.on("data", (m: { status: string }) => statuses.push(m.status));
    const serving = seen("SERVING");
    const notServing = seen("NOT_SERVING");
    const watchEnded = new Promise<void>((resolve) => {
      watch.on("end", resolve);
      watch.on("error", () => resolve());
    });
    await serving;
    expect(await unary(health, "Check", { service: "calc.Calc" })).toEqual({ status: "SERVING" });

    service.child.kill("SIGTERM");
    await notServing;
    // Still inside the drain delay: the servers answer, but say they are going away.
    expect((await fetch(`${httpBase}/readyz`)).status).toBe(503);
    expect((await fetch(`${httpBase}/healthz`)).status).toBe(200);
    expect(await unary(health, "Check", { service: "calc.Calc" })).toEqual({
      status: "NOT_SERVING",
    });
    const calc = client("calc.Calc", grpcAddress);
    expect(await unary(calc, "Add", { a: "2", b: "3" })).toEqual({ sum: "5" });

    await watchEnded; // the server ends Watch streams instead of waiting for them
    expect(await service.exited()).toBe(0);
    expect(statuses).toEqual(["SERVING", "NOT_SERVING"]);
    expect(service.logs.map((l) => l.msg)).toEqual(
      expect.arrayContaining(["shutting down", "stopped"]),
    );
    calc.close();
    health.close();
  });

  it("exits 0 on SIGINT", async () => {
    const service = start({ SERVICES: "calculator" });
    await service.waitForLog((l) => l.msg === "service started");
    service.child.kill("SIGINT");
    expect(await service.exited()).toBe(0);
  });

  it("refuses a bad variable with a message naming it and a non-zero exit", async () => {
    const service = start({ GRPC_PORT: "eighty" });
    expect(await service.exited()).toBe(2);
    expect(service.stderr()).toContain("invalid GRPC_PORT");
    expect(service.stderr()).toContain('"eighty"');
    expect(service.stderr()).not.toMatch(/\bat .*\.ts:\d+/); // a message, not a stack trace
  });

  it("fails to start with a clear message when the port is taken", async () => {
    const first = start({ SERVICES: "calculator" });
    const up = await first.waitForLog((l) => l.msg === "service started");
    const second = start({ SERVICES: "calculator", HTTP_PORT: String(up.httpPort) });
    expect(await second.exited()).toBe(1);
    const fatal = second.logs.find((l) => l.level === 60);
    expect(JSON.stringify(fatal)).toContain(`cannot listen on 127.0.0.1:${String(up.httpPort)}`);
    first.child.kill("SIGTERM");
    expect(await first.exited()).toBe(0);
  });
});
