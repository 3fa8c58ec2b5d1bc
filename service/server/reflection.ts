/**
 * Server reflection (@grpc/reflection) over every loaded proto, so `grpcurl -plaintext host:port
 * list` shows every service, and `describe` works.
 *
 * Nothing of it is loaded at start: the library, proto-loader (whose file descriptors it
 * indexes) and the index itself cost ~2 MiB of heap and resident memory in every tenant process
 * (bench/RESULTS.md), and most tenants are never reflected on. The two services (v1 and
 * v1alpha) are registered at start (a server cannot add them later) from reflection.proto,
 * read as the library reads it, with handlers that load reflection-index.ts at the first call
 * and hand each stream to the library's own handler. A stream waits, paused, meanwhile.
 */
import * as grpc from "@grpc/grpc-js";
import { REFLECTION_PROTO_DIR } from "./proto-files.js";
import { loadPackage, serviceDefinition } from "./proto-package.js";
import type { ReflectionHandlers, ReflectedProtos } from "./reflection-index.js";

/** How @grpc/reflection reads its messages (its PROTO_LOADER_OPTS, field names in camelCase). */
const LIBRARY_READS = { longs: String, enums: String, bytes: Array, defaults: true, oneofs: true };

const VERSIONS = [
  { file: "grpc/reflection/v1/reflection.proto", service: "grpc.reflection.v1.ServerReflection" },
  {
    file: "grpc/reflection/v1alpha/reflection.proto",
    service: "grpc.reflection.v1alpha.ServerReflection",
  },
];

export type { ReflectedProtos };

export function addReflection(server: grpc.Server, protos: ReflectedProtos): void {
  let loading: Promise<ReflectionHandlers> | undefined;
  const handlers = (): Promise<ReflectionHandlers> =>
    (loading ??= import("./reflection-index.js")
      .then(({ reflectionHandlers }) => reflectionHandlers(protos))
      .catch((error: unknown) => {
        loading = undefined; // the next call tries again
        throw error;
      }));
  const pkg = loadPackage(
    VERSIONS.map((v) => v.file),
    { includeDirs: [REFLECTION_PROTO_DIR], keepCase: false, objectOptions: LIBRARY_READS },
  );
  for (const { service } of VERSIONS) {
    const definition = serviceDefinition(pkg, service);
    const lazy: grpc.UntypedServiceImplementation = {};
    for (const method of Object.keys(definition)) {
      lazy[method] = (stream: grpc.ServerDuplexStream<unknown, unknown>) => {
        handlers()
          .then((real) => {
            const handler = real.get(service)?.[method];
            if (!handler)
              throw new Error(`@grpc/reflection no longer registers ${service}/${method}`);
            handler(stream);
          })
          // a failure to build the index fails this call (INTERNAL), not the process
          .catch((error: unknown) => {
            stream.emit("error", { code: grpc.status.INTERNAL, details: String(error) });
          });
      };
    }
    server.addService(definition, lazy);
  }
}
