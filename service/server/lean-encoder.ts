/**
 * A lean protobuf encoder for answers made of strings, 32-bit integers, booleans, enums and
 * nested messages: every response of user.UserService (SearchResp, CreateResp, GetByEmailResp).
 *
 * Why: proto-loader's serializer turns the answer into protobufjs message objects
 * (`fromObject`), queues an operation object per field and a forked state per nested message,
 * then copies it all into a buffer (`finish`). For a List or a search of up to 1,000 users that
 * was about two fifths of the service's CPU under bench:footprint's mixed load (bench/RESULTS.md),
 * and most of the garbage. This encoder measures the answer once (string byte lengths and
 * nested message sizes, kept in a reused array) and writes it straight into one buffer of the
 * exact size.
 *
 * The bytes are protobufjs's for every answer protobufjs accepts: fields in field-number order;
 * a present field written even when empty or zero; strings and numbers converted as
 * `fromObject` converts them (`String(x)`, `x | 0`, `x >>> 0`, `Boolean(x)`); an enum by name
 * or number, an unknown name left out; the same TypeErrors for a nested message that is not an
 * object or a repeated field that is not an array. One difference, on purpose: a lone UTF-16
 * surrogate is written as U+FFFD (as Buffer writes it, and as protobufjs does in strings of 40
 * characters or more) instead of an invalid UTF-8 sequence.
 */
import type * as protoLoader from "@grpc/proto-loader";

type Kind = "string" | "int32" | "uint32" | "bool" | "enum" | "message";

interface LeanField {
  readonly name: string;
  /** ".package.Message.field", as protobufjs names it in its errors. */
  readonly fullName: string;
  readonly kind: Kind;
  readonly repeated: boolean;
  /** The field's key (number and wire type), and how many bytes it takes as a varint. */
  readonly key: number;
  readonly keySize: number;
  /** Enum fields: the number of each name and of each known number. */
  readonly enumNumbers?: ReadonlyMap<string | number, number>;
  /** Message fields: the nested type (set once every type of the family is built). */
  message?: LeanType;
}

interface LeanType {
  readonly fullName: string;
  /** In field-number order, the order protobufjs writes them. */
  readonly fields: readonly LeanField[];
}

export type Encoder = (answer: object) => Buffer;

/** The parts of proto-loader's descriptors that this encoder reads. */
interface FieldDescriptor {
  name: string;
  number: number;
  label: string;
  type: string;
  typeName: string;
}
interface MessageDescriptor {
  name: string;
  field: FieldDescriptor[];
  options?: { mapEntry?: boolean } | null;
}
interface EnumDescriptor {
  value: { name: string; number: number }[];
}
/** A package entry's descriptor (messages and enums have one; services do not). */
const descriptorOf = (entry: unknown): unknown => (entry as { type?: unknown } | undefined)?.type;

const SCALAR_KINDS: Readonly<Record<string, Kind>> = {
  TYPE_STRING: "string",
  TYPE_INT32: "int32",
  TYPE_UINT32: "uint32",
  TYPE_BOOL: "bool",
};
const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
/** protobufjs's util.recursionLimit. */
const MAX_DEPTH = 100;

/**
 * The encoder for the message `fullName` (e.g. "user.SearchResp") of a loaded package, or
 * undefined when the message, or one it nests, has a field of a type this encoder does not
 * write (64-bit integers, floating point, bytes, maps, repeated scalars).
 */
export function leanEncoder(
  pkg: protoLoader.PackageDefinition,
  fullName: string,
): Encoder | undefined {
  const built = new Map<string, LeanType | undefined>();
  const type = buildType(pkg, fullName, built);
  if (type === undefined) return undefined;
  return (answer) => encode(type, answer);
}

/**
 * The service definition with the lean encoder on every method whose response it can write;
 * the others (and every request) are left as they were.
 */
export function withLeanEncoders(
  definition: protoLoader.ServiceDefinition,
  pkg: protoLoader.PackageDefinition,
): protoLoader.ServiceDefinition {
  const result: protoLoader.ServiceDefinition = {};
  for (const [name, method] of Object.entries(definition)) {
    const responseName = messageName(pkg, method.path, method.responseType);
    const encoder = responseName === undefined ? undefined : leanEncoder(pkg, responseName);
    result[name] = encoder ? { ...method, responseSerialize: encoder } : method;
  }
  return result;
}

/**
 * The package's name for a method's response type. proto-loader's method definition carries
 * the message's descriptor but not its package: look the descriptor's name up from the
 * service's package outwards (as protoc resolves it) and take it only if it is that message.
 */
function messageName(
  pkg: protoLoader.PackageDefinition,
  path: string,
  type: unknown,
): string | undefined {
  const descriptor = descriptorOf(type) as MessageDescriptor;
  const service = path.split("/")[1] ?? "";
  const scope = service.split(".").slice(0, -1).join(".");
  const found = resolve(pkg, scope, descriptor.name);
  if (found === undefined) return undefined;
  const candidate = descriptorOf(pkg[found]) as MessageDescriptor | undefined;
  return JSON.stringify(candidate?.field) === JSON.stringify(descriptor.field) ? found : undefined;
}

/** A type name as written in a .proto, from inside `scope`: innermost scope first. */
function resolve(
  pkg: protoLoader.PackageDefinition,
  scope: string,
  typeName: string,
): string | undefined {
  if (typeName.startsWith(".")) return typeName.slice(1) in pkg ? typeName.slice(1) : undefined;
  const parts = scope === "" ? [] : scope.split(".");
  for (let n = parts.length; n >= 0; n--) {
    const name = [...parts.slice(0, n), typeName].join(".");
    if (name in pkg) return name;
  }
  return undefined;
}

function buildType(
  pkg: protoLoader.PackageDefinition,
  fullName: string,
  built: Map<string, LeanType | undefined>,
): LeanType | undefined {
  if (built.has(fullName)) return built.get(fullName);
  const descriptor = descriptorOf(pkg[fullName]) as MessageDescriptor | undefined;
  if (!descriptor || !Array.isArray(descriptor.field) || descriptor.options?.mapEntry) {
    return unbuildable(built, fullName);
  }
  const fields: LeanField[] = [];
  const type: LeanType = { fullName: `.${fullName}`, fields };
  built.set(fullName, type); // before the fields: a message may nest itself
  const nested: [LeanField, string][] = [];
  for (const field of [...descriptor.field].sort((a, b) => a.number - b.number)) {
    const lean = leanField(pkg, fullName, field);
    if (lean === undefined) return unbuildable(built, fullName);
    fields.push(lean.field);
    if (lean.nestedName !== undefined) nested.push([lean.field, lean.nestedName]);
  }
  for (const [field, name] of nested) {
    field.message = buildType(pkg, name, built);
    if (field.message === undefined) return unbuildable(built, fullName);
  }
  return type;
}

/** A field of message `owner` as this encoder writes it; undefined when it cannot. */
function leanField(
  pkg: protoLoader.PackageDefinition,
  owner: string,
  field: FieldDescriptor,
): { field: LeanField; nestedName?: string } | undefined {
  const repeated = field.label === "LABEL_REPEATED";
  let kind = SCALAR_KINDS[field.type];
  let enumNumbers: Map<string | number, number> | undefined;
  let nestedName: string | undefined;
  if (field.type === "TYPE_ENUM") {
    const enumName = resolve(pkg, owner, field.typeName);
    const values = (descriptorOf(enumName && pkg[enumName]) as EnumDescriptor | undefined)?.value;
    if (!Array.isArray(values)) return undefined;
    kind = "enum";
    enumNumbers = new Map();
    for (const { name, number } of values) enumNumbers.set(name, number).set(number, number);
  } else if (field.type === "TYPE_MESSAGE") {
    nestedName = resolve(pkg, owner, field.typeName);
    if (nestedName === undefined) return undefined;
    kind = "message";
  }
  // repeated scalars are packed in proto3: not written here
  if (kind === undefined || (repeated && kind !== "string" && kind !== "message")) {
    return undefined;
  }
  const wireType = kind === "string" || kind === "message" ? WIRE_LENGTH_DELIMITED : WIRE_VARINT;
  const key = field.number * 8 + wireType;
  const lean: LeanField = {
    name: field.name,
    fullName: `.${owner}.${field.name}`,
    kind,
    repeated,
    key,
    keySize: varintSize(key),
    enumNumbers,
  };
  return { field: lean, nestedName };
}

function unbuildable(built: Map<string, LeanType | undefined>, fullName: string): undefined {
  built.set(fullName, undefined);
  return undefined;
}

// --- encoding -------------------------------------------------------------------------------

/**
 * Byte lengths found by the measuring pass, in the order the writing pass needs them: of each
 * string, and of each nested message. Encoding is synchronous, so one array serves every call.
 */
const lengths: number[] = [];
let nextLength = 0;

function encode(type: LeanType, answer: object): Buffer {
  if (Array.isArray(answer)) {
    const shortName = type.fullName.slice(type.fullName.lastIndexOf(".") + 1);
    throw new Error(
      `Failed to serialize message: expected object with ${shortName} structure, got array instead`,
    );
  }
  if (!isObject(answer)) throw new TypeError(`${type.fullName}: object expected`);
  lengths.length = 0;
  const size = measure(type, answer as Record<string, unknown>, 0);
  const out = Buffer.allocUnsafe(size);
  nextLength = 0;
  const end = write(type, answer as Record<string, unknown>, out, 0);
  if (end !== size) throw new Error(`lean encoder: wrote ${end} bytes of ${size}`);
  return out;
}

const isObject = (value: unknown): value is object => value !== null && typeof value === "object";

/** An enum field's number, or undefined where protobufjs leaves the field out. */
function enumNumber(field: LeanField, value: unknown): number | undefined {
  const known = field.enumNumbers!.get(value as string | number);
  if (known !== undefined) return known;
  return typeof value === "number" ? value : undefined;
}

function measure(type: LeanType, message: Record<string, unknown>, depth: number): number {
  if (depth > MAX_DEPTH) throw new Error("maximum nesting depth exceeded");
  let size = 0;
  for (const field of type.fields) {
    const value = message[field.name];
    if (field.repeated) {
      if (!value) continue;
      if (!Array.isArray(value)) throw new TypeError(`${field.fullName}: array expected`);
      for (const item of value as unknown[]) {
        size += field.keySize + measureValue(field, item, depth);
      }
    } else if (field.kind === "enum") {
      const number = enumNumber(field, value);
      if (number !== undefined) size += field.keySize + int32Size(number);
    } else if (value !== undefined && value !== null) {
      size += field.keySize + measureValue(field, value, depth);
    }
  }
  return size;
}

function measureValue(field: LeanField, value: unknown, depth: number): number {
  switch (field.kind) {
    case "string": {
      const length = utf8Length(typeof value === "string" ? value : String(value));
      lengths.push(length);
      return varintSize(length) + length;
    }
    case "int32":
      return int32Size(value as number);
    case "uint32":
      return varintSize((value as number) >>> 0);
    case "bool":
      return 1;
    case "message": {
      if (!isObject(value)) throw new TypeError(`${field.fullName}: object expected`);
      const slot = lengths.push(0) - 1;
      const length = measure(field.message!, value as Record<string, unknown>, depth + 1);
      lengths[slot] = length;
      return varintSize(length) + length;
    }
    default:
      throw new Error(`lean encoder: ${field.kind} measured as a value`);
  }
}

function write(type: LeanType, message: Record<string, unknown>, out: Buffer, at: number): number {
  for (const field of type.fields) {
    const value = message[field.name];
    if (field.repeated) {
      if (!value) continue;
      for (const item of value as unknown[]) {
        at = writeVarint(out, at, field.key);
        at = writeValue(field, item, out, at);
      }
    } else if (field.kind === "enum") {
      const number = enumNumber(field, value);
      if (number === undefined) continue;
      at = writeVarint(out, at, field.key);
      at = writeInt32(out, at, number);
    } else if (value !== undefined && value !== null) {
      at = writeVarint(out, at, field.key);
      at = writeValue(field, value, out, at);
    }
  }
  return at;
}

function writeValue(field: LeanField, value: unknown, out: Buffer, at: number): number {
  switch (field.kind) {
    case "string": {
      const length = lengths[nextLength++]!;
      at = writeVarint(out, at, length);
      return writeString(out, at, typeof value === "string" ? value : String(value), length);
    }
    case "int32":
      return writeInt32(out, at, value as number);
    case "uint32":
      return writeVarint(out, at, (value as number) >>> 0);
    case "bool":
      out[at] = value ? 1 : 0;
      return at + 1;
    case "message": {
      at = writeVarint(out, at, lengths[nextLength++]!);
      return write(field.message!, value as Record<string, unknown>, out, at);
    }
    default:
      throw new Error(`lean encoder: ${field.kind} written as a value`);
  }
}

/** Below it an ASCII string is copied byte by byte; from it, by Buffer (one native call). */
const SHORT_STRING = 48;

function writeString(out: Buffer, at: number, text: string, length: number): number {
  if (length === text.length && length < SHORT_STRING) {
    for (let i = 0; i < length; i++) out[at + i] = text.charCodeAt(i);
    return at + length;
  }
  // length === text.length means every character is ASCII, where latin1 is the same bytes
  return at + out.write(text, at, length, length === text.length ? "latin1" : "utf8");
}

/**
 * UTF-8 bytes of a string as Buffer writes it: a surrogate pair takes 4, a lone surrogate 3
 * (it is written as U+FFFD).
 */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) continue;
    if (code < 0x800) length += 1;
    else if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      length += 2; // two UTF-16 units, four bytes
      i++;
    } else length += 2;
  }
  return length;
}

const isLowSurrogate = (code: number): boolean => code >= 0xdc00 && code <= 0xdfff;

/** protobufjs's int32: `x | 0`, a negative number as the 10-byte varint of its 64-bit form. */
function int32Size(value: number): number {
  const integer = value | 0;
  return integer < 0 ? 10 : varintSize(integer);
}

function writeInt32(out: Buffer, at: number, value: number): number {
  const integer = value | 0;
  if (integer >= 0) return writeVarint(out, at, integer);
  // sign-extended to 64 bits: the low 32 bits as they are, then all ones
  let low = integer >>> 0;
  for (let i = 0; i < 4; i++) {
    out[at++] = (low & 0x7f) | 0x80;
    low >>>= 7;
  }
  out[at++] = (low & 0x0f) | 0x70 | 0x80; // bits 28 to 31, then bits 32 to 34 set
  for (let i = 0; i < 4; i++) out[at++] = 0xff;
  out[at++] = 0x01;
  return at;
}

function varintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

function writeVarint(out: Buffer, at: number, value: number): number {
  while (value >= 0x80) {
    out[at++] = (value & 0x7f) | 0x80;
    value >>>= 7;
  }
  out[at++] = value;
  return at;
}
