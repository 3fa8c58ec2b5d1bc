import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, client, startTestApp, unary, unaryError } from "./testing/harness.js";

const INT64_MAX = "9223372036854775807";
const INT64_MIN = "-9223372036854775808";

let t: TestApp;
let calc: grpc.Client;
let math: grpc.Client;

beforeAll(async () => {
  t = await startTestApp({ SERVICES: "calculator" });
  calc = client("calc.Calc", t.grpcAddress);
  math = client("MathHelper", t.grpcAddress);
});

afterAll(async () => {
  calc.close();
  math.close();
  await t.close();
});

describe("calc.Calc/Max", () => {
  it("answers the larger value", async () => {
    expect(await unary(calc, "Max", { a: "7", b: "42" })).toEqual({ max: "42" });
    expect(await unary(calc, "Max", { a: "-1", b: "-5" })).toEqual({ max: "-1" });
  });

  it("keeps 64-bit values exact at both ends", async () => {
    expect(await unary(calc, "Max", { a: INT64_MAX, b: "9223372036854775806" })).toEqual({
      max: INT64_MAX,
    });
    expect(await unary(calc, "Max", { a: INT64_MIN, b: INT64_MIN })).toEqual({ max: INT64_MIN });
  });

  it("treats absent fields as zero (proto3 defaults)", async () => {
    expect(await unary(calc, "Max", {})).toEqual({ max: "0" });
  });
});

describe("calc.Calc/Add", () => {
  it("adds", async () => {
    expect(await unary(calc, "Add", { a: "2", b: "3" })).toEqual({ sum: "5" });
  });

  it("reaches int64 max exactly", async () => {
    expect(await unary(calc, "Add", { a: INT64_MAX, b: "0" })).toEqual({ sum: INT64_MAX });
    expect(await unary(calc, "Add", { a: "9223372036854775806", b: "1" })).toEqual({
      sum: INT64_MAX,
    });
    expect(await unary(calc, "Add", { a: INT64_MIN, b: "0" })).toEqual({ sum: INT64_MIN });
  });

  it("answers OUT_OF_RANGE instead of wrapping past int64 max", async () => {
    const error = await unaryError(calc, "Add", { a: INT64_MAX, b: "1" });
    expect(error.code).toBe(grpc.status.OUT_OF_RANGE);
    expect(error.details).toContain("overflows int64");
  });

  it("answers OUT_OF_RANGE below int64 min", async () => {
    const error = await unaryError(calc, "Add", { a: INT64_MIN, b: "-1" });
    expect(error.code).toBe(grpc.status.OUT_OF_RANGE);
  });
});

describe("calc.Calc/NthPrimes", () => {
  it("answers the n-th prime for each n in request order, at both boundaries", async () => {
    expect(await unary(calc, "NthPrimes", { n: ["10001", "1", "12", "1"] })).toEqual({
      nthPrimes: ["104743", "2", "37", "2"],
    });
  });

  it("answers an empty list for an empty request", async () => {
    expect(await unary(calc, "NthPrimes", { n: [] })).toEqual({ nthPrimes: [] });
  });

  it("answers INVALID_ARGUMENT naming n = 0", async () => {
    const error = await unaryError(calc, "NthPrimes", { n: ["5", "0"] });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toMatch(/got 0$/);
  });

  it("answers INVALID_ARGUMENT naming n = 10002", async () => {
    const error = await unaryError(calc, "NthPrimes", { n: ["10002"] });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain("10002");
  });

  it("names a huge uint64 n exactly", async () => {
    const error = await unaryError(calc, "NthPrimes", { n: ["18446744073709551615"] });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain("18446744073709551615");
  });

  it("refuses more values than one answer may carry", async () => {
    const error = await unaryError(calc, "NthPrimes", {
      n: Array.from({ length: 100_001 }, () => "1"),
    });
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toContain("at most 100000");
  });
});

describe("MathHelper/Summation", () => {
  it("answers first + last and echoes the inputs", async () => {
    expect(await unary(math, "Summation", { first: "1", last: "10" })).toEqual({
      result: "11",
      first: "1",
      last: "10",
    });
  });

  it("answers OUT_OF_RANGE on int64 overflow", async () => {
    const error = await unaryError(math, "Summation", { first: INT64_MAX, last: "1" });
    expect(error.code).toBe(grpc.status.OUT_OF_RANGE);
  });
});

describe("MathHelper/Factorial", () => {
  it("answers 0! = 1 and 20! exactly", async () => {
    expect(await unary(math, "Factorial", { base: "0" })).toEqual({ result: "1", base: "0" });
    expect(await unary(math, "Factorial", { base: "20" })).toEqual({
      result: "2432902008176640000",
      base: "20",
    });
  });

  it("answers OUT_OF_RANGE for 21 (21! overflows int64) and for negatives", async () => {
    for (const base of ["21", "-1"]) {
      const error = await unaryError(math, "Factorial", { base });
      expect(error.code).toBe(grpc.status.OUT_OF_RANGE);
      expect(error.details).toContain(`got ${base}`);
    }
  });
});

describe("gRPC metrics and logs", () => {
  it("counts calls per method and code", async () => {
    const metrics = await t.ctx.metrics.registry.metrics();
    expect(metrics).toMatch(
      /grpc_server_handled_total\{grpc_service="calc.Calc",grpc_method="Add",grpc_code="OUT_OF_RANGE"\} [1-9]/,
    );
    expect(metrics).toMatch(/grpc_server_handling_seconds_bucket\{[^}]*grpc_method="NthPrimes"/);
  });

  it("logs one debug line per call and no stack trace for a client's mistake", () => {
    const calls = t.logs.filter((l) => l.msg === "grpc call");
    expect(calls.length).toBeGreaterThan(10);
    expect(t.logs.filter((l) => l.err !== undefined)).toEqual([]);
  });

  it("reports an unimplemented method as UNIMPLEMENTED", async () => {
    const raw = new grpc.Client(t.grpcAddress, grpc.credentials.createInsecure());
    const error = await new Promise<grpc.ServiceError>((resolve) => {
      raw.makeUnaryRequest(
        "/calc.Calc/Subtract",
        (b: Buffer) => b,
        (b: Buffer) => b,
        Buffer.alloc(0),
        (e) => resolve(e!),
      );
    });
    raw.close();
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
  });
});
