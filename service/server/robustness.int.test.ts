/**
 * 200 malformed or random requests, over gRPC and HTTP: every one gets an answer, and the
 * server still serves afterwards. Inputs come from a seeded generator, so a failure reproduces.
 */
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, client, rawHttp, startTestApp, unary } from "./testing/harness.js";
import { seededRandom } from "../seeded-random.js";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ SERVICES: "calculator" });
});

afterAll(async () => {
  await t.close();
});

const random = seededRandom(20260523);
const int = (max: number): number => Math.floor(random() * max);
const bytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
const pick = <T>(items: readonly T[]): T => items[int(items.length)]!;

const METHODS = [
  "/calc.Calc/Max",
  "/calc.Calc/Add",
  "/calc.Calc/NthPrimes",
  "/MathHelper/Summation",
  "/MathHelper/Factorial",
];

/** Protobuf-shaped payloads with the wrong wire types or truncated/huge contents. */
function wrongTypePayload(): Buffer {
  const cases = [
    Buffer.from([0x0a, 0x03, 0x61, 0x62, 0x63]), // field 1 as a string where int64 is declared
    Buffer.from([0x08]), // truncated varint
    Buffer.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // 11-byte varint
    Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]), // length far beyond the buffer
    Buffer.from([0x0d, 0x01, 0x02]), // fixed32 cut short
    Buffer.from([0x00, 0x00]), // field number 0
    Buffer.from([0x0f]), // wire type 7 does not exist
    Buffer.concat([Buffer.from([0x0a, 0x80, 0x80, 0x04]), Buffer.alloc(65536, 0x01)]), // packed n of 64k ones
  ];
  return pick(cases);
}

function rawCall(c: grpc.Client, path: string, payload: Buffer): Promise<grpc.status> {
  return new Promise((resolve) => {
    c.makeUnaryRequest(
      path,
      (b: Buffer) => b,
      (b: Buffer) => b,
      payload,
      { deadline: Date.now() + 15_000 },
      (error) => resolve(error ? error.code : grpc.status.OK),
    );
  });
}

function grpcCases(): (() => Promise<string>)[] {
  const cases: (() => Promise<string>)[] = [];
  const raw = () =>
    new grpc.Client(`127.0.0.1:${t.app.grpcPort}`, grpc.credentials.createInsecure());
  const answer = (what: string) => (code: grpc.status) => `${what} -> ${grpc.status[code]}`;
  for (let i = 0; i < 50; i++) {
    const path = pick(METHODS);
    const payload = bytes(int(64));
    cases.push(() =>
      withClient(raw(), (c) => rawCall(c, path, payload).then(answer(`random ${path}`))),
    );
  }
  for (let i = 0; i < 36; i++) {
    const path = pick(METHODS);
    const payload = wrongTypePayload();
    cases.push(() =>
      withClient(raw(), (c) => rawCall(c, path, payload).then(answer(`wrong type ${path}`))),
    );
  }
  for (let i = 0; i < 10; i++) {
    const path = pick([
      "/calc.Calc/Nope",
      "/Nope/Add",
      "/calc.Calc/",
      "/",
      "/calc.Calc/add",
      "/mathhelper/Factorial",
    ]);
    cases.push(() =>
      withClient(raw(), (c) => rawCall(c, path, bytes(8)).then(answer(`unknown ${path}`))),
    );
  }
  // Huge repeated fields: just under and just over the 4 MiB receive limit.
  const packed = (count: number) => {
    const body = Buffer.alloc(count, 0x05);
    const len: number[] = [];
    for (let n = count; ; n >>>= 7) {
      if (n < 0x80) {
        len.push(n);
        break;
      }
      len.push((n & 0x7f) | 0x80);
    }
    return Buffer.concat([Buffer.from([0x0a, ...len]), body]);
  };
  for (const count of [100_000, 100_001, 4_000_000, 5_000_000]) {
    cases.push(() =>
      withClient(raw(), (c) =>
        rawCall(c, "/calc.Calc/NthPrimes", packed(count)).then(answer(`n x${count}`)),
      ),
    );
  }
  // Wrong types through a typed client: protobufjs rejects them client-side or coerces.
  const calc = () => client("calc.Calc", t.grpcAddress);
  for (const request of [
    { a: "1e3", b: "x" },
    { a: {}, b: [] },
    { a: "-", b: "+" },
    { a: "99999999999999999999" },
  ]) {
    cases.push(() =>
      withClient(calc(), (c) =>
        unary(c, "Add", request).then(
          () => "typed Add -> OK",
          (e: unknown) => `typed Add -> ${String((e as grpc.ServiceError).code ?? e)}`,
        ),
      ),
    );
  }
  return cases;
}

async function withClient<T>(c: grpc.Client, f: (c: grpc.Client) => Promise<T>): Promise<T> {
  try {
    return await f(c);
  } finally {
    c.close();
  }
}

function httpCases(): (() => Promise<string>)[] {
  const cases: (() => Promise<string>)[] = [];
  const base = t.httpBase;
  const segments = [
    "fibonacci",
    "factorial",
    "ackermann",
    "api",
    "calc",
    "add",
    "..",
    "%00",
    "%ff",
    "-1",
    "1e9",
    "x".repeat(300),
    "",
    "💥",
  ];
  for (let i = 0; i < 60; i++) {
    const path = "/" + Array.from({ length: 1 + int(4) }, () => pick(segments)).join("/");
    const method = pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]);
    const body = method === "GET" || method === "OPTIONS" ? undefined : bytes(int(200));
    cases.push(async () => {
      const response = await fetch(base + path, { method, ...(body && { body }) });
      await response.arrayBuffer();
      return `${method} ${path.slice(0, 40)} -> ${response.status}`;
    });
  }
  for (let i = 0; i < 20; i++) {
    const path = pick([
      "/api/calc/add",
      "/api/calc/nth-primes",
      "/api/math/factorial",
      "/api/math/summation",
    ]);
    const body = pick([
      bytes(32),
      '{"a": [1,2], "b": {"c": 1}}',
      '{"n": [' + Array.from({ length: 5000 }, () => int(20000)).join(",") + "]}",
      '{"base": null}',
      '{"a": 1e400, "b": -1e400}',
      "null",
      '"text"',
      '{"first": true, "last": "0x10"}',
    ]);
    cases.push(async () => {
      const response = await fetch(base + path, { method: "POST", body });
      await response.arrayBuffer();
      return `POST ${path} -> ${response.status}`;
    });
  }
  const garbage = [
    "GET / HTTP/9.9\r\n\r\n",
    "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", // a TLS ClientHello on the plain port
    "GET /fibonacci/1 HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    "POST /api/calc/add HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\n\r\n",
    "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
  ];
  for (let i = 0; i < 16; i++) {
    const data = i < garbage.length ? garbage[i]! : bytes(1 + int(512));
    cases.push(async () => {
      const answer = await rawHttp(t.app.httpPort, data);
      return `raw #${i} -> ${answer.slice(0, 12) || "(closed)"}`;
    });
  }
  return cases;
}

describe("robustness", () => {
  it("answers 200 malformed or random requests and keeps serving", async () => {
    const cases = [...grpcCases(), ...httpCases()];
    expect(cases).toHaveLength(200);
    const answers: string[] = [];
    for (let i = 0; i < cases.length; i += 10) {
      answers.push(...(await Promise.all(cases.slice(i, i + 10).map((run) => run()))));
    }
    expect(answers).toHaveLength(200);
    expect(answers.filter((a) => a.includes("-> INTERNAL") && a.startsWith("typed"))).toEqual([]);
    // Over the receive limit is refused as such; the largest allowed batch is INVALID_ARGUMENT.
    expect(answers).toContain("n x5000000 -> RESOURCE_EXHAUSTED");
    expect(answers).toContain("n x100001 -> INVALID_ARGUMENT");
    expect(answers).toContain("n x100000 -> OK");
    expect(
      answers.filter((a) => a.startsWith("unknown")).every((a) => a.endsWith("UNIMPLEMENTED")),
    ).toBe(true);

    const health = client("grpc.health.v1.Health", t.grpcAddress);
    expect(await unary(health, "Check", { service: "" })).toEqual({ status: "SERVING" });
    health.close();
    const calc = client("calc.Calc", t.grpcAddress);
    expect(await unary(calc, "Add", { a: "2", b: "3" })).toEqual({ sum: "5" });
    calc.close();
    expect((await fetch(`${t.httpBase}/fibonacci/10`)).status).toBe(200);
    expect(t.logs.filter((l) => l.level === 50 || l.level === 60)).toEqual([]);
  });
});
