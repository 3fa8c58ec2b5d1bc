/**
 * Loading the .proto contracts. Every service's proto goes through these options, so int64 and
 * uint64 arrive as decimal strings (never lossy numbers), enums as names, field names exactly as
 * written in the .proto (keepCase), and absent fields as proto3 defaults. (The server swaps in a
 * leaner codec for messages made only of int64/uint64, which hands over BigInt instead:
 * int64-codec.ts.)
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as protoLoader from "@grpc/proto-loader";
import { protoPath as healthProtoPath } from "grpc-health-check";

/** service/proto, in the source tree and in dist/ alike (scripts/copy-assets.mjs copies it). */
export const PROTO_DIR = fileURLToPath(new URL("../proto/", import.meta.url));

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
};

/** Directory holding grpc/reflection/v1{,alpha}/reflection.proto inside @grpc/reflection. */
function reflectionProtoDir(): string {
  const main = createRequire(import.meta.url).resolve("@grpc/reflection");
  return join(dirname(main), "..", "proto");
}

/** grpc.health.v1 and grpc.reflection protos, so reflection can describe those services too. */
export function infrastructureProtos(): { file: string; includeDir: string }[] {
  return [
    { file: "health/v1/health.proto", includeDir: join(dirname(healthProtoPath), "..", "..") },
    { file: "grpc/reflection/v1/reflection.proto", includeDir: reflectionProtoDir() },
    { file: "grpc/reflection/v1alpha/reflection.proto", includeDir: reflectionProtoDir() },
  ];
}

/** Loads proto files (names relative to PROTO_DIR, or absolute) into one package definition. */
export function loadProtos(
  files: readonly string[],
  extraIncludeDirs: readonly string[] = [],
): protoLoader.PackageDefinition {
  return protoLoader.loadSync([...files], {
    ...LOADER_OPTIONS,
    includeDirs: [PROTO_DIR, ...extraIncludeDirs],
  });
}

/** The service definition named `fullName` (e.g. "calc.Calc", "MathHelper"); throws if absent. */
export function serviceDefinition(
  pkg: protoLoader.PackageDefinition,
  fullName: string,
): protoLoader.ServiceDefinition {
  const entry = pkg[fullName];
  if (!entry || !isServiceDefinition(entry)) {
    throw new Error(`proto: no service ${fullName} in the loaded files`);
  }
  return entry;
}

function isServiceDefinition(
  entry: protoLoader.AnyDefinition,
): entry is protoLoader.ServiceDefinition {
  return !("format" in entry) && Object.values(entry).every((m) => "path" in m);
}
