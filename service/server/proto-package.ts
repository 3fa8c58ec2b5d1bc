/**
 * The server's proto loading: protobufjs directly, into the shape @grpc/proto-loader gives
 * (a PackageDefinition), without proto-loader.
 *
 * Why: proto-loader, with the descriptor extension of protobufjs it loads, builds a
 * FileDescriptorProto and a DescriptorProto object for every file and message of the package
 * at load, and grpc-health-check and @grpc/reflection each load it again for their own protos:
 * together ~2 MiB of every tenant's resident memory (bench/RESULTS.md). The server needs none of
 * that to serve; only reflection reads file descriptors, and it builds them with proto-loader at
 * its first call (reflection.ts).
 *
 * What is the same as proto-loader's: each method's path, stream flags and (de)serializers
 * (`fromObject` + `encode`, `decode` + `toObject` with the given options), and the names under
 * which services, messages and enums are found. What is leaner: a message's `type` holds only
 * what the server's codecs read (lean-encoder.ts, int64-codec.ts: each field's name, number,
 * label, type, type name and packed option, and a map entry's flag), with type names fully
 * qualified (".pkg.Message") where proto-loader writes them relative to the message; and there
 * are no file descriptors. proto-package.test.ts compares the two.
 */
import type * as protoLoader from "@grpc/proto-loader";
import { accessSync, constants } from "node:fs";
import { isAbsolute, join } from "node:path";
import protobuf from "protobufjs";
import { LOADER_OPTIONS, PROTO_DIR } from "./proto-files.js";

export interface LoadOptions {
  /** Searched in order for each file name and import that is not absolute. */
  readonly includeDirs: readonly string[];
  /** Field names as written in the .proto (true) or in lowerCamelCase (false), as protobufjs. */
  readonly keepCase: boolean;
  /** How decoded messages read: protobufjs's toObject options (longs, enums, defaults...). */
  readonly objectOptions: protobuf.IConversionOptions;
}

/** Loads proto files into one package definition, as proto-loader's loadSync would. */
export function loadPackage(
  files: readonly string[],
  options: LoadOptions,
): protoLoader.PackageDefinition {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => findInclude(target, options.includeDirs);
  root.loadSync([...files], { keepCase: options.keepCase });
  root.resolveAll();
  const messages = new MessageDefinitions(options.objectOptions);
  const pkg: protoLoader.PackageDefinition = {};
  for (const [name, object] of reflectionObjects(root, "")) {
    pkg[name] = definitionOf(object, name, messages);
  }
  return pkg;
}

/**
 * The server's protos (names relative to service/proto, or absolute) as its services read
 * them: LOADER_OPTIONS, field names as written.
 */
export function loadServerProtos(
  files: readonly string[],
  extraIncludeDirs: readonly string[] = [],
): protoLoader.PackageDefinition {
  return loadPackage(files, {
    includeDirs: [PROTO_DIR, ...extraIncludeDirs],
    keepCase: true,
    objectOptions: LOADER_OPTIONS,
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

function findInclude(target: string, includeDirs: readonly string[]): string {
  if (isAbsolute(target)) return target;
  for (const dir of includeDirs) {
    const path = join(dir, target);
    try {
      accessSync(path, constants.R_OK);
      return path;
    } catch {
      // not in this directory
    }
  }
  throw new Error(`proto: ${target} is in none of ${includeDirs.join(", ")}`);
}

type Handled = protobuf.Service | protobuf.Type | protobuf.Enum;

/** Every service, message and enum under `namespace`, by full name without the leading dot. */
function reflectionObjects(object: protobuf.ReflectionObject, parent: string): [string, Handled][] {
  const name = parent === "" ? object.name : `${parent}.${object.name}`;
  if (
    object instanceof protobuf.Service ||
    object instanceof protobuf.Type ||
    object instanceof protobuf.Enum
  ) {
    return [[name, object]];
  }
  if (!(object instanceof protobuf.Namespace) || !object.nested) return [];
  return Object.values(object.nested).flatMap((nested) => reflectionObjects(nested, name));
}

function definitionOf(
  object: Handled,
  name: string,
  messages: MessageDefinitions,
): protoLoader.AnyDefinition {
  if (object instanceof protobuf.Service) {
    const service: protoLoader.ServiceDefinition = {};
    for (const method of object.methodsArray) {
      service[method.name] = methodDefinition(method, name, messages);
    }
    return service;
  }
  if (object instanceof protobuf.Type) return messages.of(object);
  return {
    format: "Protocol Buffer 3 EnumDescriptorProto",
    type: { name: object.name, value: Object.entries(object.values).map(enumValue) },
    fileDescriptorProtos: [],
  };
}

const enumValue = ([name, number]: [string, number]) => ({ name, number });

function methodDefinition(
  method: protobuf.Method,
  serviceName: string,
  messages: MessageDefinitions,
): protoLoader.MethodDefinition<object, object> {
  // resolveAll() has run: both types are resolved
  const request = messages.of(method.resolvedRequestType!);
  const response = messages.of(method.resolvedResponseType!);
  return {
    path: `/${serviceName}/${method.name}`,
    requestStream: !!method.requestStream,
    responseStream: !!method.responseStream,
    requestSerialize: request.serialize,
    requestDeserialize: request.deserialize,
    responseSerialize: response.serialize,
    responseDeserialize: response.deserialize,
    originalName: lowerFirst(method.name),
    requestType: request,
    responseType: response,
    options: {},
  } as protoLoader.MethodDefinition<object, object>;
}

/** Each message's definition, built once per load however many methods and names use it. */
class MessageDefinitions {
  private readonly built = new Map<
    protobuf.Type,
    protoLoader.MessageTypeDefinition<object, object>
  >();

  constructor(private readonly objectOptions: protobuf.IConversionOptions) {}

  of(type: protobuf.Type): protoLoader.MessageTypeDefinition<object, object> {
    let definition = this.built.get(type);
    if (!definition) {
      definition = {
        format: "Protocol Buffer 3 DescriptorProto",
        type: messageDescriptor(type),
        fileDescriptorProtos: [],
        serialize: serializer(type),
        deserialize: deserializer(type, this.objectOptions),
      };
      this.built.set(type, definition);
    }
    return definition;
  }
}

/** The parts of a DescriptorProto the server's codecs read, as protobufjs describes them. */
function messageDescriptor(type: protobuf.Type): object {
  const mapEntry = (type.options as { map_entry?: boolean } | undefined)?.map_entry;
  return {
    name: type.name,
    field: type.fieldsArray.map(fieldDescriptor),
    ...(mapEntry ? { options: { mapEntry: true } } : {}),
  };
}

function fieldDescriptor(field: protobuf.Field): object {
  if (field.map) {
    // as protobufjs names the entry message: after the field, not found in the package (no
    // codec of ours writes maps)
    const typeName = field.name.charAt(0).toUpperCase() + field.name.slice(1);
    return {
      name: field.name,
      number: field.id,
      label: "LABEL_REPEATED",
      type: "TYPE_MESSAGE",
      typeName,
    };
  }
  const resolved = field.resolvedType;
  const type =
    resolved instanceof protobuf.Type
      ? "TYPE_MESSAGE"
      : resolved instanceof protobuf.Enum
        ? "TYPE_ENUM"
        : `TYPE_${field.type.toUpperCase()}`;
  return {
    name: field.name,
    number: field.id,
    label: field.repeated ? "LABEL_REPEATED" : field.required ? "LABEL_REQUIRED" : "LABEL_OPTIONAL",
    type,
    ...(resolved ? { typeName: resolved.fullName } : {}),
    // proto3 packs repeated scalars unless told otherwise (what protobufjs's toDescriptor says)
    ...(field.repeated && !field.packed ? { options: { packed: false } } : {}),
  };
}

function serializer(type: protobuf.Type): (value: object) => Buffer {
  return (value) => {
    if (Array.isArray(value)) {
      throw new Error(
        `Failed to serialize message: expected object with ${type.name} structure, got array instead`,
      );
    }
    return type.encode(type.fromObject(value)).finish() as Buffer;
  };
}

function deserializer(
  type: protobuf.Type,
  objectOptions: protobuf.IConversionOptions,
): (bytes: Buffer) => object {
  return (bytes) => type.toObject(type.decode(bytes), objectOptions);
}

/**
 * A method's originalName, the key grpc-js also looks handlers up by (grpc-health-check's are
 * "check", "watch", "list"). proto-loader applies lodash.camelCase, which for the one-word
 * UpperCamelCase method names of these protos is the same as lowering the first letter.
 */
function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}
