/**
 * The lean int64 codec against protobufjs's (the server's loader, proto-package.ts) on the service's real protos:
 * the same values read from the same bytes, the same bytes written for the same answers.
 */
import { describe, expect, it } from "vitest";
import type * as protoLoader from "@grpc/proto-loader";
import { int64MessageCodec, withInt64Codecs } from "./int64-codec.js";
import { loadServerProtos, serviceDefinition } from "./proto-package.js";

const pkg = loadServerProtos(["calc.proto", "math_helper.proto", "user.proto"]);
const calc = serviceDefinition(pkg, "calc.Calc");
const math = serviceDefinition(pkg, "MathHelper");
const users = serviceDefinition(pkg, "user.UserService");

const INT64_EDGES = [
  0n,
  1n,
  -1n,
  127n,
  128n,
  2n ** 49n - 1n,
  2n ** 49n,
  2n ** 53n + 1n,
  -(2n ** 63n),
  2n ** 63n - 1n,
  -1234567890123n,
];
const UINT64_EDGES = [0n, 1n, 300n, 2n ** 49n, 2n ** 63n, 2n ** 64n - 1n];

/** A seeded generator, so a failure is reproducible. */
function randomInt64s(count: number, seed = 7): bigint[] {
  let state = seed;
  const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31);
  return Array.from({ length: count }, () => {
    const bits = BigInt(next()) * 2n ** 33n + BigInt(next()) * 4n + BigInt(next() % 4);
    return BigInt.asIntN(64, bits >> BigInt(next() % 60));
  });
}

type Method = protoLoader.MethodDefinition<object, object>;
const lean = (method: Method) => ({
  request: int64MessageCodec(method.requestType.type)!,
  response: int64MessageCodec(method.responseType.type)!,
});
const strings = (m: object): unknown =>
  JSON.parse(JSON.stringify(m, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)));

describe("int64 codec", () => {
  it("takes every calculator method and leaves the user directory to protobufjs", () => {
    for (const definition of [calc, math]) {
      const swapped = withInt64Codecs(definition);
      for (const [name, method] of Object.entries(swapped)) {
        expect(method.requestDeserialize, name).not.toBe(definition[name]!.requestDeserialize);
        expect(method.responseSerialize, name).not.toBe(definition[name]!.responseSerialize);
        expect(method.path).toBe(definition[name]!.path);
      }
    }
    const swapped = withInt64Codecs(users);
    for (const [name, method] of Object.entries(swapped)) expect(method, name).toBe(users[name]);
  });

  it("reads what protobufjs writes, as BigInt, for edge and random values", () => {
    const add = lean(calc.Add!);
    const values = [...INT64_EDGES, ...randomInt64s(500)];
    for (let i = 0; i < values.length; i++) {
      const request = { a: String(values[i]), b: String(values[values.length - 1 - i]) };
      const bytes = calc.Add!.requestSerialize(request);
      const decoded = add.request.decode(bytes);
      expect(decoded).toEqual({ a: values[i], b: values[values.length - 1 - i] });
      expect(strings(decoded)).toEqual(calc.Add!.requestDeserialize(bytes));
    }
  });

  it("writes the bytes protobufjs writes, zero fields included", () => {
    const summation = lean(math.Summation!);
    for (const value of [...INT64_EDGES, ...randomInt64s(300, 11)]) {
      const answer = { result: String(value), first: "0", last: String(-value) };
      const ours = summation.response.encode(answer);
      expect(ours.equals(math.Summation!.responseSerialize(answer)), String(value)).toBe(true);
      // BigInt and whole numbers are written the same as their decimal strings
      const asBigInt = { result: value, first: 0n, last: -value };
      expect(summation.response.encode(asBigInt).equals(ours)).toBe(true);
    }
    expect(summation.response.encode({ result: 5, first: 2, last: 3 })).toEqual(
      math.Summation!.responseSerialize({ result: "5", first: "2", last: "3" }),
    );
  });

  it("handles repeated uint64 packed, unpacked and empty like protobufjs", () => {
    const nth = lean(calc.NthPrimes!);
    for (const list of [
      [],
      [1n],
      UINT64_EDGES,
      randomInt64s(200, 3).map((v) => BigInt.asUintN(64, v)),
      randomInt64s(6000, 5).map((v) => BigInt.asUintN(64, v)), // past the kept scratch room
    ]) {
      const answer = { nthPrimes: list.map(String) };
      expect(nth.response.encode(answer)).toEqual(calc.NthPrimes!.responseSerialize(answer));
      const packed = calc.NthPrimes!.requestSerialize({ n: list.map(String) });
      expect(nth.request.decode(packed)).toEqual({ n: list });
      // the same values unpacked (field 1, wire type 0, once per value) read the same
      const unpacked = Buffer.concat(list.map((v) => Buffer.from([0x08, ...varint(v)])));
      expect(nth.request.decode(unpacked)).toEqual({ n: list });
      expect(calc.NthPrimes!.requestDeserialize(unpacked)).toEqual({ n: list.map(String) });
    }
  });

  it("skips unknown fields of every wire type and keeps the last of a repeated singular field", () => {
    const add = lean(calc.Add!);
    const bytes = Buffer.concat([
      Buffer.from([0x08, 0x05]), // a = 5
      Buffer.from([0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), // #3 varint
      Buffer.from([0x21, 1, 2, 3, 4, 5, 6, 7, 8]), // #4 fixed64
      Buffer.from([0x2a, 0x03, 9, 9, 9]), // #5 bytes
      Buffer.from([0x35, 1, 2, 3, 4]), // #6 fixed32
      Buffer.from([0x10, 0x07, 0x08, 0x09]), // b = 7, then a = 9
    ]);
    expect(add.request.decode(bytes)).toEqual({ a: 9n, b: 7n });
    expect(calc.Add!.requestDeserialize(bytes)).toEqual({ a: "9", b: "7" });
    expect(add.request.decode(Buffer.alloc(0))).toEqual({ a: 0n, b: 0n });
  });

  it("refuses bytes that are not a message of its type (grpc-js answers INTERNAL)", () => {
    const add = lean(calc.Add!);
    const broken = [
      Buffer.from([0x08]), // a value is missing
      Buffer.from([0x08, 0x80, 0x80]), // a varint cut short
      Buffer.from([0x08, ...Array(10).fill(0xff), 0x01]), // a varint of 11 bytes
      Buffer.from([0x2a, 0x05, 1]), // bytes longer than the message
      Buffer.from([0x0a, 0x01, 0x01]), // field a as bytes
      Buffer.from([0x0f]), // wire type 7
    ];
    for (const bytes of broken)
      expect(() => add.request.decode(bytes), bytes.toString("hex")).toThrow();
    expect(() => add.response.encode({ sum: "twelve" })).toThrow();
    expect(() => add.response.encode({ sum: 1.5 })).toThrow();
  });
});

function varint(value: bigint): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}
