/**
 * The reflection index, built at the first reflection call (reflection.ts says why it waits):
 * proto-loader's package definition of every served proto, with protoc's map entry names
 * (descriptor-fix.ts), indexed by @grpc/reflection, whose handlers then answer.
 *
 * Works around a @grpc/reflection 1.0.x bug: a service declared without a proto package (our
 * MathHelper) is indexed as ".MathHelper", so `list` would print ".MathHelper" and a lookup of
 * "MathHelper" would fail. After construction we index such names without the leading dot too
 * (the dotted entries stay, the library resolves type references through them).
 */
import type * as grpc from "@grpc/grpc-js";
import { ReflectionService } from "@grpc/reflection";
import { withProtocMapEntryNames } from "./descriptor-fix.js";
import { loadProtos } from "./protos.js";

/** What to describe: proto files (relative to service/proto, or absolute) and include dirs. */
export interface ReflectedProtos {
  readonly files: readonly string[];
  readonly includeDirs: readonly string[];
}

type Handler = grpc.handleBidiStreamingCall<unknown, unknown>;

/** The library's handlers by service name (grpc.reflection.v1 and v1alpha) and method. */
export type ReflectionHandlers = Map<string, Record<string, Handler>>;

interface ReflectionIndex {
  services?: Record<string, unknown>;
  symbols?: Record<string, unknown>;
}

export function reflectionHandlers(protos: ReflectedProtos): ReflectionHandlers {
  const pkg = withProtocMapEntryNames(loadProtos(protos.files, protos.includeDirs));
  const reflection = indexed(new ReflectionService(pkg));
  const registered: ReflectionHandlers = new Map();
  reflection.addToServer({
    addService(definition: grpc.ServiceDefinition, handlers: Record<string, Handler>) {
      const first = Object.values(definition)[0];
      registered.set(first?.path.split("/")[1] ?? "", handlers);
    },
  });
  return registered;
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
