/**
 * Server reflection (@grpc/reflection) over every loaded proto, so `grpcurl -plaintext host:port
 * list` shows every service, and `describe` works.
 *
 * Built at the first reflection call, not at start: @grpc/reflection indexes every file and
 * symbol of the package when it is constructed, which left ~0.5 MiB of heap and 1.5 to 3.5 MiB
 * of resident memory in every tenant process (bench/RESULTS.md), and most tenants are never
 * reflected on. The services are registered at start (a server cannot add them later) with
 * handlers that construct the real index once and hand each stream to its own handlers: only
 * the public API is used for this (a ReflectionService over an empty package gives the service
 * definitions, and addToServer() takes any object with addService).
 *
 * Works around a @grpc/reflection 1.0.x bug: a service declared without a proto package (our
 * MathHelper) is indexed as ".MathHelper", so `list` would print ".MathHelper" and a lookup of
 * "MathHelper" would fail. After construction we index such names without the leading dot too
 * (the dotted entries stay, the library resolves type references through them). Map entry
 * types are renamed as protoc names them (descriptor-fix.ts), or grpcurl rejects the file.
 */
import * as grpc from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { withProtocMapEntryNames } from "./descriptor-fix.js";

interface ReflectionIndex {
  services?: Record<string, unknown>;
  symbols?: Record<string, unknown>;
}

type Handler = grpc.handleBidiStreamingCall<unknown, unknown>;
type Handlers = Record<string, Handler>;

/** What addToServer registers, by service name (grpc.reflection.v1 and v1alpha). */
type Registrations = Map<string, { definition: grpc.ServiceDefinition; handlers: Handlers }>;

function registrationsOf(reflection: ReflectionService): Registrations {
  const registered: Registrations = new Map();
  reflection.addToServer({
    addService(definition: grpc.ServiceDefinition, handlers: Handlers) {
      const first = Object.values(definition)[0];
      registered.set(first?.path.split("/")[1] ?? "", { definition, handlers });
    },
  });
  return registered;
}

export function addReflection(server: grpc.Server, pkg: PackageDefinition): void {
  let real: Registrations | undefined;
  const handlerOf = (name: string, method: string): Handler => {
    real ??= registrationsOf(indexed(new ReflectionService(withProtocMapEntryNames(pkg))));
    const handler = real.get(name)?.handlers[method];
    if (!handler) throw new Error(`@grpc/reflection no longer registers ${name}/${method}`);
    return handler;
  };
  // over an empty package: the definitions, and a start-up check of the internals indexed() uses
  for (const [name, { definition }] of registrationsOf(indexed(new ReflectionService({})))) {
    const lazy: Handlers = {};
    for (const method of Object.keys(definition)) {
      lazy[method] = (stream) => {
        let handler: Handler;
        try {
          handler = handlerOf(name, method);
        } catch (error) {
          // a failure to build the index fails this call (INTERNAL), not the process
          stream.emit("error", { code: grpc.status.INTERNAL, details: String(error) });
          return;
        }
        handler(stream);
      };
    }
    server.addService(definition, lazy);
  }
}

/** The package-less workaround, applied to a constructed service's indexes (internals). */
function indexed(reflection: ReflectionService): ReflectionService {
  const versions = reflection as unknown as Record<"v1" | "v1Alpha", ReflectionIndex | undefined>;
  for (const index of [versions.v1, versions.v1Alpha]) {
    if (!index?.services || !index.symbols) {
      throw new Error("@grpc/reflection internals changed: re-check the package-less workaround");
    }
    index.services = undotted(index.services, false);
    index.symbols = undotted(index.symbols, true);
  }
  return reflection;
}

function undotted(map: Record<string, unknown>, keepDotted: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(map)) {
    if (!key.startsWith(".")) {
      out[key] = value;
      continue;
    }
    out[key.slice(1)] ??= value;
    if (keepDotted) out[key] = value;
  }
  return out;
}
