/**
 * Loading the .proto contracts with @grpc/proto-loader, for clients (the CLI, tests, benches)
 * and for reflection's index, which needs the file descriptors it makes. The server loads its
 * services without it (proto-package.ts); both read messages with LOADER_OPTIONS.
 */
import * as protoLoader from "@grpc/proto-loader";
import { LOADER_OPTIONS, PROTO_DIR } from "./proto-files.js";

export { infrastructureProtos, LOADER_OPTIONS, PROTO_DIR } from "./proto-files.js";
export { serviceDefinition } from "./proto-package.js";

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
