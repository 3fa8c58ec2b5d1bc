/**
 * The lean encoder against protobufjs's serializer (the server's loader, proto-package.ts) on the service's real
 * user.proto and on a proto with every kind it writes: the same bytes for the same answers,
 * the same errors for answers protobufjs refuses, and no encoder where it cannot write a type.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type * as protoLoader from "@grpc/proto-loader";
import { leanEncoder, utf8Length, withLeanEncoders } from "./lean-encoder.js";
import { withInt64Codecs } from "./int64-codec.js";
import { loadServerProtos, serviceDefinition } from "./proto-package.js";

const pkg = loadServerProtos(["calc.proto", "user.proto"]);
const users = serviceDefinition(pkg, "user.UserService");

const KINDS_PROTO = `
syntax = "proto3";
package kinds.v1;
enum Color { RED = 0; GREEN = 1; BLUE = 7; }
message Leaf { string text = 1; }
message Tree {
  string label = 3;
  int32 signed = 1;
  uint32 unsigned = 2;
  bool flag = 4;
  Color color = 5;
  repeated string tags = 6;
  repeated Tree children = 7;
  Leaf leaf = 8;
  uint32 big_number = 536870911;
}
message WithInt64 { int64 n = 1; }
message WithDouble { double d = 1; }
message WithBytes { bytes b = 1; }
message WithMap { map<string, string> m = 1; }
message WithPacked { repeated int32 values = 1; }
message NestsInt64 { Leaf leaf = 1; WithInt64 inner = 2; }
`;
const kindsDir = mkdtempSync(join(tmpdir(), "lean-encoder-"));
writeFileSync(join(kindsDir, "kinds.proto"), KINDS_PROTO);
const kinds = loadServerProtos([join(kindsDir, "kinds.proto")]);

/** protobufjs's bytes for `answer` as message `name` of `from`. */
function reference(from: protoLoader.PackageDefinition, name: string, answer: object): Buffer {
  const type = from[name] as protoLoader.MessageTypeDefinition<object, object>;
  return type.serialize(answer);
}

function expectSameBytes(from: protoLoader.PackageDefinition, name: string, answer: object) {
  const ours = leanEncoder(from, name)!(answer);
  const theirs = reference(from, name, answer);
  expect(ours.toString("hex"), JSON.stringify(answer).slice(0, 200)).toBe(theirs.toString("hex"));
}

const user = (n: number, overrides: object = {}) => ({
  id: `u-${n}`,
  age: n,
  name: { first: `Maël ${n}`, last: "Ångström" },
  email: `user${n}@example.com`,
  phone: "+1 555 0100",
  address: `${n} Long Street, Apartment ${n * 7}, Springfield, Some Region, Some Country`,
  ...overrides,
});

describe("lean encoder: user.proto", () => {
  it("writes protobufjs's bytes for the directory's answers", () => {
    const answers: [string, object][] = [
      ["user.SearchResp", { status: { code: "SUCCESS", msg: "" }, users: [] }],
      ["user.SearchResp", { status: { code: "SUCCESS", msg: "30 users" }, users: [user(1)] }],
      [
        "user.SearchResp",
        { status: { code: "SUCCESS", msg: "" }, users: range(1000).map((n) => user(n)) },
      ],
      ["user.SearchResp", { status: { code: "INVALID_QUERY", msg: "query: too short" } }],
      ["user.CreateResp", { status: { code: "SUCCESS", msg: "created" }, user: user(7) }],
      ["user.CreateResp", { status: { code: "FAILED", msg: "email taken" } }],
      ["user.GetByEmailResp", { status: { code: "SUCCESS", msg: "" }, user: user(0) }],
      ["user.GetByEmailResp", { status: { code: 5, msg: "numbers pass" } }],
      ["user.GetByEmailResp", { status: { code: 99, msg: "unknown numbers pass too" } }],
      ["user.GetByEmailResp", { status: { code: "NO_SUCH_NAME", msg: "left out" } }],
      ["user.GetByEmailResp", { status: {} }],
      ["user.GetByEmailResp", {}],
    ];
    for (const [name, answer] of answers) expectSameBytes(pkg, name, answer);
  });

  it("writes every field present, empty or zero, and leaves out null and undefined", () => {
    expectSameBytes(pkg, "user.User", { id: "", age: 0, name: {}, email: "", phone: "" });
    expectSameBytes(pkg, "user.User", { id: null, age: undefined, name: null, email: "x" });
  });

  it("converts values as fromObject does", () => {
    expectSameBytes(pkg, "user.User", { id: 42, age: "37", email: true, phone: 1.5 });
    expectSameBytes(pkg, "user.User", { id: "a", age: 2 ** 31 + 5 }); // wraps like x | 0
    expectSameBytes(pkg, "user.User", { id: "a", age: 12.9 });
  });

  it("writes negative ages as protobufjs does: ten bytes", () => {
    for (const age of [-1, -2, -127, -128, -300, -(2 ** 28), -(2 ** 31)]) {
      expectSameBytes(pkg, "user.User", { age });
    }
  });

  it("writes UTF-8 of any length, with 1- to 5-byte lengths", () => {
    const texts = [
      "Zoë",
      "日本語のテキスト",
      "emoji 😀 and 𝄞 beyond the BMP",
      "a".repeat(39),
      "a".repeat(40),
      "é".repeat(47),
      "é".repeat(48),
      "x".repeat(127),
      "x".repeat(128),
      "ü".repeat(20_000),
      "y".repeat(3_000_000),
    ];
    for (const text of texts) {
      expectSameBytes(pkg, "user.User", { id: text, name: { first: text, last: text } });
    }
  });

  it("writes a lone surrogate as U+FFFD, where short strings in protobufjs would not", () => {
    const bytes = leanEncoder(pkg, "user.Name")!({ first: "a\ud800b" });
    expect(bytes.toString("hex")).toBe(
      Buffer.from([0x0a, 5, 0x61, 0xef, 0xbf, 0xbd, 0x62]).toString("hex"),
    );
    expect(utf8Length("a\ud800b")).toBe(Buffer.byteLength("a\ud800b"));
    expect(utf8Length("\udc00\ud83d\ude00\ud83d")).toBe(
      Buffer.byteLength("\udc00\ud83d\ude00\ud83d"),
    );
  });

  it("refuses what protobufjs refuses, with the same errors", () => {
    const refused: [string, unknown][] = [
      ["user.SearchResp", { users: {} }],
      ["user.SearchResp", { users: "abc" }],
      ["user.SearchResp", { users: [user(1), null] }],
      ["user.SearchResp", { users: [7] }],
      ["user.SearchResp", { status: "SUCCESS" }],
      ["user.CreateResp", { user: { name: "Maël" } }],
      ["user.SearchResp", [{ users: [] }]],
      ["user.SearchResp", "text"],
    ];
    for (const [name, answer] of refused) {
      const theirs = captureError(() => reference(pkg, name, answer as object));
      const ours = captureError(() => leanEncoder(pkg, name)!(answer as object));
      expect(theirs, JSON.stringify(answer)).toBeInstanceOf(Error);
      expect(ours?.constructor, JSON.stringify(answer)).toBe(theirs?.constructor);
      expect(ours?.message, JSON.stringify(answer)).toBe(theirs?.message);
    }
  });

  it("takes every response of the user directory, and leaves the calculator to its codec", () => {
    const lean = withLeanEncoders(users, pkg);
    for (const [name, method] of Object.entries(lean)) {
      expect(method.responseSerialize, name).not.toBe(users[name]!.responseSerialize);
      expect(method.requestDeserialize, name).toBe(users[name]!.requestDeserialize);
    }
    const calc = withInt64Codecs(serviceDefinition(pkg, "calc.Calc"));
    const both = withLeanEncoders(calc, pkg);
    for (const [name, method] of Object.entries(both)) expect(method, name).toBe(calc[name]);
  });
});

describe("lean encoder: every kind it writes", () => {
  it("writes protobufjs's bytes for scalars, enums, repeated and recursive messages", () => {
    const trees: object[] = [
      {},
      { signed: -5, unsigned: 4_000_000_000, flag: true, color: "BLUE", label: "root" },
      { unsigned: -1, flag: 0, color: 7, big_number: 2 ** 32 - 1 },
      { flag: "", color: 3, tags: [] },
      { color: "PURPLE", tags: ["a", "", "ç", 5, null] },
      { leaf: { text: "leaf" }, children: [{ label: "a", children: [{ leaf: {} }] }, {}] },
      { tags: "", children: null },
    ];
    for (const tree of trees) expectSameBytes(kinds, "kinds.v1.Tree", tree);
  });

  it("stops at protobufjs's nesting limit, at the same depth, with its error", () => {
    for (const levels of [99, 100, 101, 102, 150]) {
      let deep: object = {};
      for (let i = 0; i < levels; i++) deep = { children: [deep] };
      const theirs = captureError(() => reference(kinds, "kinds.v1.Tree", deep));
      const ours = captureError(() => leanEncoder(kinds, "kinds.v1.Tree")!(deep));
      expect(ours?.message, `${levels} levels`).toBe(theirs?.message);
      if (levels > 100) expect(ours?.message).toMatch(/nesting depth/);
      else expectSameBytes(kinds, "kinds.v1.Tree", deep);
    }
  });

  it("has no encoder for types it does not write, nor for messages that nest them", () => {
    for (const name of ["WithInt64", "WithDouble", "WithBytes", "WithMap", "WithPacked"]) {
      expect(leanEncoder(kinds, `kinds.v1.${name}`), name).toBeUndefined();
    }
    expect(leanEncoder(kinds, "kinds.v1.NestsInt64")).toBeUndefined();
    expect(leanEncoder(kinds, "kinds.v1.Leaf")).toBeDefined();
    expect(leanEncoder(kinds, "kinds.v1.NoSuchMessage")).toBeUndefined();
  });
});

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}

function captureError(run: () => unknown): Error | undefined {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}
