// Reflection and HTTP answers are untyped JSON-ish messages; tests index them freely.
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as grpc from "@grpc/grpc-js";
import descriptor from "protobufjs/ext/descriptor/index.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, client, startTestApp, unary, unaryError } from "./testing/harness.js";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});

afterAll(async () => {
  await t.close();
});

/** One request/response exchange on the bidirectional ServerReflectionInfo stream. */
function reflect(request: object, version = "v1"): Promise<Record<string, any>> {
  const c = client(`grpc.reflection.${version}.ServerReflection`, t.grpcAddress) as any;
  return new Promise((resolve, reject) => {
    const stream = c.ServerReflectionInfo();
    stream.on("data", (response: Record<string, any>) => {
      resolve(response);
      stream.end();
      c.close();
    });
    stream.on("error", reject);
    stream.write(request);
  });
}

describe("grpc.health.v1.Health", () => {
  it("reports SERVING overall and for every served service", async () => {
    const health = client("grpc.health.v1.Health", t.grpcAddress);
    for (const service of ["", "calc.Calc", "MathHelper"]) {
      expect(await unary(health, "Check", { service })).toEqual({ status: "SERVING" });
    }
    health.close();
  });

  it("lists every served service's status, the overall one under the empty name", async () => {
    const health = client("grpc.health.v1.Health", t.grpcAddress);
    const { statuses } = await unary<{ statuses: Record<string, { status: string }> }>(
      health,
      "List",
      {},
    );
    expect(Object.keys(statuses).sort()).toEqual(["", ...t.app.grpcServices].sort());
    expect(new Set(Object.values(statuses).map((s) => s.status))).toEqual(new Set(["SERVING"]));
    health.close();
  });

  it("watches a service it does not serve as SERVICE_UNKNOWN, keeping the stream open", async () => {
    const health = client("grpc.health.v1.Health", t.grpcAddress) as any;
    const watch = health.Watch({ service: "nope.Nothing" });
    const first = await new Promise((resolve, reject) => {
      watch.on("data", resolve);
      watch.on("error", reject);
    });
    expect(first).toEqual({ status: "SERVICE_UNKNOWN" });
    watch.on("error", () => {}); // the cancel below ends it with CANCELLED
    watch.cancel();
    health.close();
  });

  it("answers NOT_FOUND for a service it does not serve", async () => {
    const health = client("grpc.health.v1.Health", t.grpcAddress);
    const error = await unaryError(health, "Check", { service: "nope.Nothing" });
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    health.close();
  });
});

describe("server reflection", () => {
  it("lists every service, as grpcurl list does", async () => {
    const response = await reflect({ list_services: "" });
    const names = (response.list_services_response.service as { name: string }[]).map(
      (s) => s.name,
    );
    expect(t.app.grpcServices).toEqual(expect.arrayContaining(["calc.Calc", "MathHelper"]));
    expect(names.sort()).toEqual(
      [
        ...t.app.grpcServices,
        "grpc.health.v1.Health",
        "grpc.reflection.v1.ServerReflection",
        "grpc.reflection.v1alpha.ServerReflection",
      ].sort(),
    );
  });

  it("describes calc.Calc and the package-less MathHelper by symbol", async () => {
    for (const symbol of ["calc.Calc", "MathHelper", "calc.NthPrimesRequest"]) {
      const response = await reflect({ file_containing_symbol: symbol });
      expect(response.error_response, symbol).toBeFalsy();
      expect(response.file_descriptor_response.file_descriptor_proto.length).toBeGreaterThan(0);
    }
  });

  it("serves Health's descriptor with the map entry named as protoc does (grpcurl needs it)", async () => {
    const response = await reflect({ file_containing_symbol: "grpc.health.v1.Health" });
    const files = (response.file_descriptor_response.file_descriptor_proto as Buffer[]).map(
      (b) => descriptor.FileDescriptorProto.decode(b) as unknown as { messageType: any[] },
    );
    const list = files
      .flatMap((f): any[] => f.messageType)
      .find((m) => m.name === "HealthListResponse");
    expect(list.nestedType[0].name).toBe("StatusesEntry");
  });

  it("answers on v1alpha too (older grpcurl), package-less names included", async () => {
    const response = await reflect({ file_containing_symbol: "MathHelper" }, "v1alpha");
    expect(response.error_response).toBeFalsy();
    expect(response.file_descriptor_response.file_descriptor_proto.length).toBeGreaterThan(0);
  });

  it("answers NOT_FOUND for an unknown symbol", async () => {
    const response = await reflect({ file_containing_symbol: "calc.Nothing" });
    expect(response.error_response.error_code).toBe(grpc.status.NOT_FOUND);
  });
});
