/**
 * Repairs the file descriptors protobufjs generates for map fields before reflection serves them.
 * protobufjs names a map's implicit entry message after the field ("Statuses"), while protoc
 * and every strict client (grpcurl, Go protobuf) require "<CamelField>Entry" ("StatusesEntry")
 * and reject the whole file otherwise; grpc.health.v1's HealthListResponse has such a map.
 * Wire encoding is unaffected: map entries never appear by name on the wire.
 */
import type { PackageDefinition } from "@grpc/proto-loader";
import descriptor from "protobufjs/ext/descriptor/index.js";

interface FieldProto {
  name?: string;
  typeName?: string;
}

interface MessageProto {
  name?: string;
  field?: FieldProto[];
  nestedType?: MessageProto[];
  options?: { mapEntry?: boolean };
}

interface FileProto {
  messageType?: MessageProto[];
}

/** protoc's entry name for a map field: "to_included" -> "ToIncludedEntry". */
export function mapEntryName(fieldName: string): string {
  const camel = fieldName.replace(/_+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
  return `${camel.charAt(0).toUpperCase()}${camel.slice(1)}Entry`;
}

/** Renames map entry types in place; true if anything changed. */
function fixMessage(message: MessageProto): boolean {
  let changed = false;
  for (const nested of message.nestedType ?? []) changed = fixMessage(nested) || changed;
  for (const entry of message.nestedType ?? []) {
    if (!entry.options?.mapEntry || !entry.name) continue;
    const oldName = entry.name;
    const field = message.field?.find((f) => lastSegment(f.typeName) === oldName);
    if (!field?.name) continue;
    const newName = mapEntryName(field.name);
    if (newName === oldName) continue;
    entry.name = newName;
    field.typeName = `${field.typeName!.slice(0, -oldName.length)}${newName}`;
    changed = true;
  }
  return changed;
}

function lastSegment(typeName: string | undefined): string | undefined {
  return typeName?.split(".").pop();
}

function fixFile(bytes: Buffer): Buffer {
  const file = descriptor.FileDescriptorProto.decode(bytes) as unknown as FileProto;
  let changed = false;
  for (const message of file.messageType ?? []) changed = fixMessage(message) || changed;
  if (!changed) return bytes;
  return Buffer.from(descriptor.FileDescriptorProto.encode(file as never).finish());
}

/** A copy of the package definition whose file descriptors name map entries as protoc does. */
export function withProtocMapEntryNames(pkg: PackageDefinition): PackageDefinition {
  const cache = new Map<Buffer, Buffer>();
  const fixed: PackageDefinition = {};
  for (const [name, entry] of Object.entries(pkg)) {
    const files = (entry as { fileDescriptorProtos?: Buffer[] }).fileDescriptorProtos;
    if (!Array.isArray(files)) {
      fixed[name] = entry;
      continue;
    }
    const repaired = files.map((b) => {
      let out = cache.get(b);
      if (!out) cache.set(b, (out = fixFile(b)));
      return out;
    });
    fixed[name] = { ...entry, fileDescriptorProtos: repaired } as typeof entry;
  }
  return fixed;
}
