/**
 * Server reflection (@grpc/reflection) over every loaded proto, so `grpcurl -plaintext host:port
 * list` shows every service, and `describe` works.
 *
 * Works around a @grpc/reflection 1.0.x bug: a service declared without a proto package (our
 * MathHelper) is indexed as ".MathHelper", so `list` would print ".MathHelper" and a lookup of
 * "MathHelper" would fail. After construction we index such names without the leading dot too
 * (the dotted entries stay, the library resolves type references through them). Map entry
 * types are renamed as protoc names them (descriptor-fix.ts), or grpcurl rejects the file.
 */
import type * as grpc from "@grpc/grpc-js";
import type { PackageDefinition } from "@grpc/proto-loader";
import { ReflectionService } from "@grpc/reflection";
import { withProtocMapEntryNames } from "./descriptor-fix.js";

interface ReflectionIndex {
  services?: Record<string, unknown>;
  symbols?: Record<string, unknown>;
}

export function addReflection(server: grpc.Server, pkg: PackageDefinition): void {
  const reflection = new ReflectionService(withProtocMapEntryNames(pkg));
  const versions = reflection as unknown as Record<"v1" | "v1Alpha", ReflectionIndex | undefined>;
  for (const index of [versions.v1, versions.v1Alpha]) {
    if (!index?.services || !index.symbols) {
      throw new Error("@grpc/reflection internals changed: re-check the package-less workaround");
    }
    index.services = undotted(index.services, false);
    index.symbols = undotted(index.symbols, true);
  }
  reflection.addToServer(server);
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
