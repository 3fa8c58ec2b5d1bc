/**
 * The server's proto loading (protobufjs directly) against @grpc/proto-loader's on the same
 * files: the same names, the same methods, the same bytes and objects for the same messages,
 * and descriptors that say the same about every field the server's codecs read.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- descriptors and definitions are untyped JSON */
import type * as protoLoader from "@grpc/proto-loader";
import { describe, expect, it } from "vitest";
import { HEALTH_PROTO, HEALTH_PROTO_DIR } from "./proto-files.js";
import { withInt64Codecs } from "./int64-codec.js";
import { withLeanEncoders } from "./lean-encoder.js";
import { loadServerProtos, serviceDefinition } from "./proto-package.js";
import { loadProtos } from "./protos.js";

const FILES = ["calc.proto", "math_helper.proto", "user.proto", "counter.proto", HEALTH_PROTO];
const ours = loadServerProtos(FILES, [HEALTH_PROTO_DIR]);
const theirs = loadProtos(FILES, [HEALTH_PROTO_DIR]);

const isService = (d: protoLoader.AnyDefinition): d is protoLoader.ServiceDefinition =>
  !("format" in d);
const entries = (pkg: protoLoader.PackageDefinition) => Object.entries(pkg);
const messages = entries(theirs).filter(
  ([, d]) => !isService(d) && d.format.includes(" DescriptorProto"),
);

/** A field as the codecs read it, the type name reduced to its last part. */
function fieldView(field: any) {
  return {
    name: field.name,
    number: field.number,
    label: field.label,
    type: field.type,
    typeName: field.typeName ? String(field.typeName).split(".").pop() : "",
    packed: field.options?.packed ?? null,
  };
}

describe("the server's proto loading, against proto-loader", () => {
  it("finds every service, message and enum under the same name", () => {
    expect(Object.keys(ours).sort()).toEqual(Object.keys(theirs).sort());
    expect(Object.keys(ours)).toEqual(
      expect.arrayContaining([
        "calc.Calc",
        "MathHelper",
        "user.UserService",
        "grpc.health.v1.Health",
      ]),
    );
  });

  it("gives every method the same path, stream flags and original name", () => {
    for (const [name, definition] of entries(theirs).filter(([, d]) => isService(d))) {
      const mine = ours[name] as protoLoader.ServiceDefinition;
      for (const [method, m] of Object.entries(definition as protoLoader.ServiceDefinition)) {
        const o = mine[method]!;
        expect(
          [o.path, o.requestStream, o.responseStream, o.originalName],
          `${name}/${method}`,
        ).toEqual([m.path, m.requestStream, m.responseStream, m.originalName]);
      }
    }
  });

  it("describes every field of every message as proto-loader does (type names qualified)", () => {
    expect(messages.length).toBeGreaterThan(10);
    for (const [name, definition] of messages) {
      const mine = (ours[name] as any).type;
      const them = (definition as any).type;
      expect(mine.field.map(fieldView), name).toEqual(them.field.map(fieldView));
      expect(Boolean(mine.options?.mapEntry), name).toBe(Boolean(them.options?.mapEntry));
    }
  });

  it("lets the lean codecs take the same methods as from proto-loader's package", () => {
    const taken = (pkg: protoLoader.PackageDefinition) =>
      entries(pkg)
        .filter(([, d]) => isService(d))
        .flatMap(([name]) => {
          const plain = serviceDefinition(pkg, name);
          const lean = withLeanEncoders(withInt64Codecs(plain), pkg);
          return Object.keys(plain).map((m) => [
            `${name}/${m}`,
            lean[m]!.responseSerialize !== plain[m]!.responseSerialize,
            lean[m]!.requestDeserialize !== plain[m]!.requestDeserialize,
          ]);
        });
    const mine = taken(ours);
    expect(mine).toEqual(taken(theirs));
    expect(mine).toContainEqual(["user.UserService/List", true, false]);
    expect(mine).toContainEqual(["calc.Calc/Add", true, true]);
    expect(mine).toContainEqual(["grpc.health.v1.Health/Check", false, false]);
  });

  it("writes and reads messages byte for byte and field for field as proto-loader", () => {
    const samples: [string, object][] = [
      ["calc.AddRequest", { a: "-9223372036854775808", b: "18446744073709551615" }],
      [
        "user.CreateReq",
        {
          user: {
            id: "",
            age: 41,
            email: "maël@example.com",
            name: { first: "Maël", last: "Zoë" },
          },
        },
      ],
      [
        "user.SearchResp",
        {
          status: { code: "PARTIAL_SUCCESS", msg: "" },
          users: [{ id: "1", age: 3, email: "a@b.c" }, {}],
        },
      ],
      ["user.SearchAgeReq", { ageRange: { from: 3, to_included: 9 } }],
      ["grpc.health.v1.HealthCheckResponse", { status: "NOT_SERVING" }],
      ["grpc.health.v1.HealthListResponse", { statuses: { "": { status: "SERVING" } } }],
    ];
    for (const [name, message] of samples) {
      const mine = ours[name] as protoLoader.MessageTypeDefinition<object, object>;
      const them = theirs[name] as protoLoader.MessageTypeDefinition<object, object>;
      expect(mine, name).toBeDefined();
      const bytes = them.serialize(message);
      expect(Buffer.from(mine.serialize(message)).toString("hex"), name).toBe(
        Buffer.from(bytes).toString("hex"),
      );
      expect(mine.deserialize(Buffer.from(bytes)), name).toEqual(
        them.deserialize(Buffer.from(bytes)),
      );
    }
  });
});
