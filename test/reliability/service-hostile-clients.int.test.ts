// Slow and oversize clients against the real service (in this process, loopback ports): what
// service/server/robustness.int.test.ts does not cover. Random bytes, wrong wire types,
// unknown methods and messages over the 4 MiB gRPC limit are there; boundary numbers are in
// grpc-calc.int.test.ts and http.int.test.ts.
//
// Every client here is bounded: the test waits for the SERVER to end each slow connection
// (its own timeouts: headers 10 s, whole request 30 s, checked every 30 s by node:http), with
// a generous ceiling, and asserts what it answered, never how long it took.
import { connect } from "node:net";
import http2 from "node:http2";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  client,
  rawHttp,
  startTestApp,
  unary,
  type TestApp,
} from "../../service/server/testing/harness.js";

vi.setConfig({ testTimeout: 180_000 });

/** How long a slow client waits for the server to cut it off before giving up itself. */
const CEILING_MS = 150_000;

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ SERVICES: "calculator" });
});

afterAll(async () => {
  await t.close();
});

/**
 * A client that sends `first`, then `trickle` every 500 ms (if given), and resolves with the
 * first line the server answered once the server closes the connection.
 */
function slowClient(first: string, trickle?: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(t.app.httpPort, "127.0.0.1");
    let got = "";
    let timer: NodeJS.Timeout | undefined;
    const ceiling = setTimeout(() => {
      socket.destroy();
      resolve("(still open: the server never cut it off)");
    }, CEILING_MS);
    socket.on("connect", () => {
      if (first) socket.write(first);
      if (trickle) timer = setInterval(() => socket.writable && socket.write(trickle), 500);
    });
    socket.on("data", (chunk: Buffer) => (got += chunk.toString("latin1")));
    socket.on("error", () => undefined); // reported as close
    socket.on("close", () => {
      clearInterval(timer);
      clearTimeout(ceiling);
      resolve(got.split("\r\n")[0] || "(closed without an answer)");
    });
  });
}

async function status(path: string, init?: RequestInit): Promise<number> {
  const response = await fetch(`${t.httpBase}${path}`, init);
  await response.arrayBuffer();
  return response.status;
}

interface RawGrpcAnswer {
  /** grpc-status from the headers (trailers-only answer) or the trailers; "" if none. */
  grpcStatus: string;
  /** True when the server answered before the client's own bound. */
  answered: boolean;
}

/**
 * One raw HTTP/2 gRPC call on `session` that sends `payload` (the 5-byte frame prefix and part
 * of the message) and, unless `end`, never finishes its request.
 */
function rawGrpcCall(
  session: http2.ClientHttp2Session,
  headers: Record<string, string>,
  payload: Buffer,
  end: boolean,
  boundMs = 30_000,
): Promise<RawGrpcAnswer> {
  return new Promise((resolve) => {
    const req = session.request({
      ":method": "POST",
      ":path": "/calc.Calc/Add",
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    const done = (grpcStatus: string | string[] | undefined, answered: boolean): void => {
      clearTimeout(bound);
      resolve({ grpcStatus: [grpcStatus ?? ""].flat().join(","), answered });
    };
    const bound = setTimeout(() => done("", false), boundMs);
    req.on("response", (h) => {
      if (h["grpc-status"] !== undefined) done(h["grpc-status"], true);
    });
    req.on("trailers", (h) => done(h["grpc-status"], true));
    req.on("error", () => done("", true));
    req.on("data", () => undefined);
    req.write(payload);
    if (end) req.end();
  });
}

/** A gRPC frame prefix announcing a 10-byte message, then only 1 byte of it. */
const PARTIAL_MESSAGE = Buffer.from([0, 0, 0, 0, 10, 0x08]);

describe("slow clients", () => {
  it("cuts off HTTP clients that send nothing, trickle their headers or stall their body with 408, and answers 200 well-behaved requests meanwhile", async () => {
    const slow = [
      ...Array.from({ length: 5 }, () => slowClient("")),
      ...Array.from({ length: 5 }, () =>
        slowClient("GET /fibonacci/10 HTTP/1.1\r\nHost: x\r\nX-Slow: ", "a"),
      ),
      ...Array.from({ length: 5 }, () =>
        slowClient(
          'POST /api/calc/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"a":',
        ),
      ),
    ];
    const served: number[] = [];
    for (let round = 0; round < 20; round++) {
      served.push(
        ...(await Promise.all(Array.from({ length: 10 }, () => status("/fibonacci/20")))),
      );
      await sleep(500);
    }
    expect(served).toEqual(Array.from({ length: 200 }, () => 200));
    const answers = await Promise.all(slow);
    expect(answers).toEqual(Array.from({ length: 15 }, () => "HTTP/1.1 408 Request Timeout"));
    expect(await status("/fibonacci/10")).toBe(200);
  });

  it("answers a gRPC call whose message never completes with DEADLINE_EXCEEDED at the client's deadline, and serves other calls meanwhile", async () => {
    const session = http2.connect(`http://127.0.0.1:${t.app.grpcPort}`);
    session.on("error", () => undefined);
    try {
      const stalled = Array.from({ length: 10 }, () =>
        rawGrpcCall(session, { "grpc-timeout": "1S" }, PARTIAL_MESSAGE, false),
      );
      const calc = client("calc.Calc", t.grpcAddress);
      const sums = await Promise.all(
        Array.from({ length: 50 }, (_, i) => unary(calc, "Add", { a: String(i), b: "1" })),
      );
      calc.close();
      expect(sums.map((s) => s.sum)).toEqual(Array.from({ length: 50 }, (_, i) => String(i + 1)));
      expect(await Promise.all(stalled)).toEqual(
        Array.from({ length: 10 }, () => ({ grpcStatus: "4", answered: true })),
      );
    } finally {
      session.close();
    }
  });

  it("holds a gRPC call without a deadline whose message never completes, without blocking other calls, and lets it go when the client leaves", async () => {
    const session = http2.connect(`http://127.0.0.1:${t.app.grpcPort}`);
    session.on("error", () => undefined);
    const held = Array.from({ length: 20 }, () =>
      rawGrpcCall(session, {}, PARTIAL_MESSAGE, false, 3_000),
    );
    const calc = client("calc.Calc", t.grpcAddress);
    try {
      expect(await unary(calc, "Add", { a: "40", b: "2" })).toEqual({ sum: "42" });
      // Documented: the server waits for the message (the connection's max age, 5 min, bounds it).
      expect((await Promise.all(held)).every((a) => !a.answered)).toBe(true);
      session.destroy();
      const health = client("grpc.health.v1.Health", t.grpcAddress);
      expect(await unary(health, "Check", { service: "" })).toEqual({ status: "SERVING" });
      health.close();
      expect(await unary(calc, "Add", { a: "1", b: "2" })).toEqual({ sum: "3" });
    } finally {
      calc.close();
    }
  });
});

describe("oversize input", () => {
  it("answers oversize HTTP input with a status: headers or a URL over 16 KiB 431, a body over 64 KiB 413 (plain or chunked), more than 100 header lines 431", async () => {
    expect(await status("/fibonacci/3", { headers: { "x-big": "a".repeat(20_000) } })).toBe(431);
    expect(await status(`/${"a".repeat(100_000)}`)).toBe(431);
    expect(await status("/api/calc/add", { method: "POST", body: "1".repeat(1 << 20) })).toBe(413);
    const chunked = [
      "POST /api/calc/add HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
      ...Array.from({ length: 20 }, () => `1000\r\n${"7".repeat(0x1000)}\r\n`),
      "0\r\n\r\n",
    ].join("");
    expect((await rawHttp(t.app.httpPort, chunked)).split("\r\n")[0]).toBe(
      "HTTP/1.1 413 Payload Too Large",
    );
    // node:http on Node 24 refuses more header lines than maxHeadersCount (100) with
    // HPE_HEADER_OVERFLOW, so 431 (Node 20 dropped the rest silently); fetch adds ~7 of its own.
    const many = (n: number) =>
      Object.fromEntries(Array.from({ length: n }, (_, i) => [`x-h${i}`, "1"]));
    expect(await status("/fibonacci/3", { headers: many(90) })).toBe(200);
    expect(await status("/fibonacci/3", { headers: many(300) })).toBe(431);
    expect(t.logs.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });

  it("answers a gRPC call with 20 KiB of metadata, and a truncated message with an error status, never OK", async () => {
    const session = http2.connect(`http://127.0.0.1:${t.app.grpcPort}`);
    session.on("error", () => undefined);
    try {
      const empty = Buffer.from([0, 0, 0, 0, 0]);
      const bigMetadata = await rawGrpcCall(session, { "x-big": "a".repeat(20_000) }, empty, true);
      expect(bigMetadata).toEqual({ grpcStatus: "0", answered: true });
      const truncated = await rawGrpcCall(session, {}, PARTIAL_MESSAGE, true);
      expect(truncated.answered).toBe(true);
      expect(truncated.grpcStatus).not.toBe("0");
      expect(truncated.grpcStatus).not.toBe("");
    } finally {
      session.close();
    }
  });
});
