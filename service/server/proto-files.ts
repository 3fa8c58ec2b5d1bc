/**
 * Where the .proto contracts are and how their messages read in JavaScript, for the server
 * (proto-package.ts) and the clients (protos.ts) alike. Loads no proto library: the server's
 * start-up path imports this, and @grpc/proto-loader costs every tenant process ~2 MiB.
 */
import type * as protoLoader from "@grpc/proto-loader";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** service/proto, in the source tree and in dist/ alike (scripts/copy-assets.mjs copies it). */
export const PROTO_DIR = fileURLToPath(new URL("../proto/", import.meta.url));

/**
 * int64 and uint64 as decimal strings (never lossy numbers), enums as names, field names
 * exactly as written in the .proto (keepCase), absent fields as proto3 defaults.
 */
export const LOADER_OPTIONS = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  arrays: true,
  oneofs: true,
} satisfies protoLoader.Options;

/**
 * A directory of a package, relative to its main file, found without importing the package
 * (importing either of these loads proto-loader).
 */
function besideMain(name: string, ...relative: string[]): string {
  return join(dirname(createRequire(import.meta.url).resolve(name)), ...relative);
}

/** grpc.health.v1's proto, relative to HEALTH_PROTO_DIR. */
export const HEALTH_PROTO = "health/v1/health.proto";
/** The directory holding health/v1/health.proto (grpc-health-check: build/src/health.js). */
export const HEALTH_PROTO_DIR = besideMain("grpc-health-check", "..", "..", "proto");
/** The directory holding grpc/reflection/v1{,alpha}/reflection.proto (build/src/index.js). */
export const REFLECTION_PROTO_DIR = besideMain("@grpc/reflection", "..", "proto");

export interface ProtoFile {
  /** Relative to includeDir, as other files import it. */
  readonly file: string;
  readonly includeDir: string;
}

/** grpc.health.v1 and grpc.reflection protos, so reflection can describe those services too. */
export function infrastructureProtos(): ProtoFile[] {
  return [
    { file: HEALTH_PROTO, includeDir: HEALTH_PROTO_DIR },
    { file: "grpc/reflection/v1/reflection.proto", includeDir: REFLECTION_PROTO_DIR },
    { file: "grpc/reflection/v1alpha/reflection.proto", includeDir: REFLECTION_PROTO_DIR },
  ];
}
