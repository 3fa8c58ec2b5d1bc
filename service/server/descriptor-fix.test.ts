/* eslint-disable @typescript-eslint/no-explicit-any -- decoded descriptors are plain objects */
import descriptor from "protobufjs/ext/descriptor/index.js";
import { describe, expect, it } from "vitest";
import { infrastructureProtos, loadProtos } from "./protos.js";
import { mapEntryName, withProtocMapEntryNames } from "./descriptor-fix.js";

describe("mapEntryName", () => {
  it.each([
    ["statuses", "StatusesEntry"],
    ["to_included", "ToIncludedEntry"],
    ["labels_by_key2", "LabelsByKey2Entry"],
  ])("names the entry of map field %s %s, as protoc does", (field, entry) => {
    expect(mapEntryName(field)).toBe(entry);
  });
});

describe("withProtocMapEntryNames", () => {
  it("renames HealthListResponse's map entry to StatusesEntry and points the field at it", () => {
    const health = infrastructureProtos()[0]!;
    const pkg = withProtocMapEntryNames(loadProtos([health.file], [health.includeDir]));
    const entry = pkg["grpc.health.v1.HealthListResponse"] as { fileDescriptorProtos: Buffer[] };
    const files = entry.fileDescriptorProtos.map(
      (b) => descriptor.FileDescriptorProto.decode(b) as unknown as { messageType: any[] },
    );
    const list = files
      .flatMap((f): any[] => f.messageType)
      .find((m) => m.name === "HealthListResponse");
    expect(list.nestedType.map((n: { name: string }) => n.name)).toEqual(["StatusesEntry"]);
    expect(list.field[0].typeName).toBe("StatusesEntry");
  });

  it("leaves files without maps byte-for-byte alone", () => {
    const pkg = loadProtos(["calc.proto"]);
    const fixed = withProtocMapEntryNames(pkg);
    const before = (pkg["calc.AddRequest"] as { fileDescriptorProtos: Buffer[] })
      .fileDescriptorProtos;
    const after = (fixed["calc.AddRequest"] as { fileDescriptorProtos: Buffer[] })
      .fileDescriptorProtos;
    expect(after).toEqual(before);
    expect(after[0]).toBe(before[0]);
  });
});
