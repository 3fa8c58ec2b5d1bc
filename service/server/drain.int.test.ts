import { describe, expect, it } from "vitest";
import type { ModuleFactory } from "./module.js";
import { client, startTestApp, unary } from "./testing/harness.js";

/** A module whose one route reports when a request arrives and answers when the test says so. */
function gatedModule() {
  let entered!: () => void;
  let open!: () => void;
  const arrived = new Promise<void>((resolve) => (entered = resolve));
  const gate = new Promise<void>((resolve) => (open = resolve));
  const module: ModuleFactory = {
    name: "gated",
    create: () => ({
      name: "gated",
      http: [
        {
          methods: ["GET"],
          path: "/slow",
          handler: async () => {
            entered();
            await gate;
            return { status: 200, body: "done", contentType: "text/plain" };
          },
        },
      ],
      // calc.Calc whose Add waits for the gate: an in-flight gRPC call on demand.
      grpc: [
        {
          name: "calc.Calc",
          protoFile: "calc.proto",
          handlers: {
            Max: () => ({ max: "0" }),
            NthPrimes: () => ({ nthPrimes: [] }),
            Add: async () => {
              entered();
              await gate;
              return { sum: "5" };
            },
          },
        },
      ],
    }),
  };
  return { module, arrived, open };
}

describe("graceful shutdown in process", () => {
  it("lets an in-flight HTTP request finish before the server stops", async () => {
    const gated = gatedModule();
    const t = await startTestApp({}, [gated.module]);
    const answered = fetch(`${t.httpBase}/slow`).then(async (r) => [r.status, await r.text()]);
    await gated.arrived;
    let stopped = false;
    const stopping = t.close().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    gated.open();
    expect(await answered).toEqual([200, "done"]);
    await stopping;
    expect(stopped).toBe(true);
  });

  it("cuts a request that never finishes once the shutdown timeout has passed", async () => {
    const gated = gatedModule();
    const t = await startTestApp({ SHUTDOWN_TIMEOUT_MS: "300" }, [gated.module]);
    const answered = fetch(`${t.httpBase}/slow`);
    await gated.arrived;
    await t.close(); // resolves although the handler never answers
    await expect(answered).rejects.toThrow();
    expect(t.logs.map((l) => l.msg)).toContain(
      "HTTP: requests did not finish in time; closing connections",
    );
  });

  it("lets an in-flight gRPC call finish before the server stops", async () => {
    const gated = gatedModule();
    const t = await startTestApp({}, [gated.module]);
    const calc = client("calc.Calc", t.grpcAddress);
    const answered = unary(calc, "Add", { a: "2", b: "3" });
    await gated.arrived;
    let stopped = false;
    const stopping = t.close().then(() => (stopped = true));
    await new Promise((r) => setImmediate(r));
    expect(stopped).toBe(false);
    gated.open();
    expect(await answered).toEqual({ sum: "5" });
    await stopping;
    calc.close();
  });
});
