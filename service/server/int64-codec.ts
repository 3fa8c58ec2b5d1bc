/**
 * A lean protobuf codec for messages made only of int64/uint64 fields (every request and
 * response of calc.Calc, MathHelper and counter.v1.Counter).
 *
 * Why: proto-loader reads such a field as a Long object, turns it into a decimal string
 * (`longs: String`, a Long division per digit group), and the handler parses that string back
 * into a BigInt; the answer goes string -> Long -> varint. For a call like Add that conversion
 * was the largest share of the service's own CPU per call (bench/RESULTS.md). This codec goes
 * straight between varints and BigInt.
 *
 * What handlers see: each field as a BigInt (0n when absent, as proto3 defaults), repeated ones
 * as arrays of BigInt. Handlers read values through toBigInt (service/int64.ts), which takes a
 * BigInt as readily as the decimal string proto-loader gives; answers may hold BigInt, decimal
 * strings or whole numbers. The bytes written are protobufjs's: fields in declaration order, a
 * present field written even when zero, repeated fields packed unless the proto says otherwise.
 */
import type * as protoLoader from "@grpc/proto-loader";

interface Int64Field {
  readonly name: string;
  readonly number: number;
  readonly signed: boolean;
  readonly repeated: boolean;
  readonly packed: boolean;
}

export interface Int64MessageCodec {
  readonly decode: (bytes: Buffer) => Record<string, bigint | bigint[]>;
  readonly encode: (message: Record<string, unknown>) => Buffer;
}

/** The parts of a descriptor's field that this codec reads (proto-loader's DescriptorProto). */
interface FieldDescriptor {
  name: string;
  number: number;
  label: string;
  type: string;
  options?: { packed?: boolean } | null;
}

const INT64_TYPES: Readonly<Record<string, boolean>> = { TYPE_INT64: true, TYPE_UINT64: false };
const WIRE_VARINT = 0;
const WIRE_FIXED64 = 1;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;
/** Beyond it a varint is written with BigInt arithmetic; up to it, with numbers (exact). */
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** The codec for a message type, or undefined when it has a field that is not int64/uint64. */
export function int64MessageCodec(type: unknown): Int64MessageCodec | undefined {
  const fields = (type as { field?: FieldDescriptor[] } | undefined)?.field;
  if (!Array.isArray(fields)) return undefined;
  const described: Int64Field[] = [];
  for (const field of fields) {
    const signed = INT64_TYPES[field.type];
    if (signed === undefined) return undefined;
    const repeated = field.label === "LABEL_REPEATED";
    described.push({
      name: field.name,
      number: field.number,
      signed,
      repeated,
      packed: repeated && field.options?.packed !== false,
    });
  }
  return { decode: (bytes) => decode(described, bytes), encode: (m) => encode(described, m) };
}

/**
 * The service definition with lean codecs on every method whose request and response are both
 * int64-only messages; other methods are left as proto-loader made them.
 */
export function withInt64Codecs(
  definition: protoLoader.ServiceDefinition,
): protoLoader.ServiceDefinition {
  const result: protoLoader.ServiceDefinition = {};
  for (const [name, method] of Object.entries(definition)) {
    const request = int64MessageCodec(method.requestType.type);
    const response = int64MessageCodec(method.responseType.type);
    result[name] =
      request && response
        ? {
            ...method,
            requestDeserialize: request.decode,
            responseSerialize: response.encode as (value: object) => Buffer,
          }
        : method;
  }
  return result;
}

// --- decoding -------------------------------------------------------------------------------

/** Read position in the buffer being decoded (decoding is synchronous, one message at a time). */
let at = 0;

function decode(fields: readonly Int64Field[], bytes: Buffer): Record<string, bigint | bigint[]> {
  const message: Record<string, bigint | bigint[]> = {};
  for (const field of fields) message[field.name] = field.repeated ? [] : 0n;
  at = 0;
  while (at < bytes.length) {
    const tag = readVarintNumber(bytes);
    const wireType = tag % 8;
    const number = (tag - wireType) / 8;
    const field = fields.find((f) => f.number === number);
    if (field === undefined) {
      skip(bytes, wireType);
    } else if (wireType === WIRE_VARINT) {
      const value = readInt64(bytes, field.signed);
      if (field.repeated) (message[field.name] as bigint[]).push(value);
      else message[field.name] = value;
    } else if (wireType === WIRE_LENGTH_DELIMITED && field.repeated) {
      const end = lengthDelimitedEnd(bytes);
      const values = message[field.name] as bigint[];
      while (at < end) values.push(readInt64(bytes, field.signed));
      if (at !== end) throw new RangeError("packed field overruns its length");
    } else {
      throw new Error(`field ${number}: wire type ${wireType} where a varint belongs`);
    }
  }
  return message;
}

/** A varint read as a JS number: tags and lengths (exact up to 2^53). */
function readVarintNumber(bytes: Buffer): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 8; i++) {
    const byte = byteAt(bytes);
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
  throw new RangeError("varint too long");
}

/** A 64-bit varint as BigInt: the first 49 bits as a number (exact), the rest as BigInt. */
function readInt64(bytes: Buffer, signed: boolean): bigint {
  let low = 0;
  let scale = 1;
  for (let i = 0; i < 7; i++) {
    const byte = byteAt(bytes);
    low += (byte & 0x7f) * scale;
    if (byte < 0x80) return BigInt(low); // below 2^49: never negative, never above uint64
    scale *= 128;
  }
  let high = 0n;
  let shift = 0n;
  for (let i = 7; i < 10; i++) {
    const byte = byteAt(bytes);
    high |= BigInt(byte & 0x7f) << shift;
    shift += 7n;
    if (byte < 0x80) {
      const value = BigInt.asUintN(64, BigInt(low) | (high << 49n));
      return signed ? BigInt.asIntN(64, value) : value;
    }
  }
  throw new RangeError("varint longer than 10 bytes");
}

function byteAt(bytes: Buffer): number {
  if (at >= bytes.length) throw new RangeError("message ends inside a field");
  return bytes[at++]!;
}

function lengthDelimitedEnd(bytes: Buffer): number {
  const length = readVarintNumber(bytes); // read first: it moves `at` past itself
  const end = at + length;
  if (end > bytes.length) throw new RangeError("length-delimited field overruns the message");
  return end;
}

/** Steps over an unknown field (proto3 keeps unknown fields readable by skipping them). */
function skip(bytes: Buffer, wireType: number): void {
  if (wireType === WIRE_VARINT) readVarintNumberOrWide(bytes);
  else if (wireType === WIRE_FIXED64) advance(bytes, 8);
  else if (wireType === WIRE_LENGTH_DELIMITED) at = lengthDelimitedEnd(bytes);
  else if (wireType === WIRE_FIXED32) advance(bytes, 4);
  else throw new Error(`unsupported wire type ${wireType}`);
}

function readVarintNumberOrWide(bytes: Buffer): void {
  for (let i = 0; i < 10; i++) if (byteAt(bytes) < 0x80) return;
  throw new RangeError("varint longer than 10 bytes");
}

function advance(bytes: Buffer, count: number): void {
  if (at + count > bytes.length) throw new RangeError("message ends inside a field");
  at += count;
}

// --- encoding -------------------------------------------------------------------------------

/** Where answers are written before being copied out at their exact size (grown as needed). */
let scratch = Buffer.allocUnsafe(1024);
const SCRATCH_KEPT = 64 * 1024;

function encode(fields: readonly Int64Field[], message: Record<string, unknown>): Buffer {
  let end = 0;
  for (const field of fields) {
    const raw = message[field.name];
    if (raw === undefined || raw === null) continue;
    if (!field.repeated) {
      reserve(end, 15); // at most 5 bytes of tag and 10 of value
      end = writeVarint(scratch, end, field.number * 8 + WIRE_VARINT);
      end = writeVarint(scratch, end, toUint64(raw));
      continue;
    }
    const values = (raw as unknown[]).map(toUint64);
    if (values.length === 0) continue;
    reserve(end, 10 + 15 * values.length);
    if (field.packed) {
      end = writeVarint(scratch, end, field.number * 8 + WIRE_LENGTH_DELIMITED);
      let length = 0;
      for (const v of values) length += varintSize(v);
      end = writeVarint(scratch, end, length);
      for (const v of values) end = writeVarint(scratch, end, v);
    } else {
      for (const v of values) {
        end = writeVarint(scratch, end, field.number * 8 + WIRE_VARINT);
        end = writeVarint(scratch, end, v);
      }
    }
  }
  const out = Buffer.allocUnsafe(end);
  scratch.copy(out, 0, 0, end);
  // a big answer's room is not kept
  if (scratch.length > SCRATCH_KEPT) scratch = Buffer.allocUnsafe(1024);
  return out;
}

/** Makes room for `more` bytes after the first `used` of the scratch buffer. */
function reserve(used: number, more: number): void {
  if (used + more <= scratch.length) return;
  const grown = Buffer.allocUnsafe(Math.max(scratch.length * 2, used + more));
  scratch.copy(grown, 0, 0, used);
  scratch = grown;
}

/** An answer's value as the unsigned 64-bit pattern written on the wire. */
function toUint64(value: unknown): bigint {
  let integer: bigint;
  if (typeof value === "bigint") integer = value;
  else if (typeof value === "string") integer = BigInt(value);
  else if (typeof value === "number" && Number.isInteger(value)) integer = BigInt(value);
  else throw new TypeError(`not a 64-bit integer: ${typeof value}`);
  return BigInt.asUintN(64, integer);
}

function varintSize(value: bigint): number {
  if (value <= MAX_SAFE) {
    let size = 1;
    for (let v = Number(value); v >= 0x80; v = Math.floor(v / 128)) size++;
    return size;
  }
  let size = 1;
  for (let v = value >> 7n; v > 0n; v >>= 7n) size++;
  return size;
}

function writeVarint(out: Buffer, offset: number, value: number | bigint): number {
  if (typeof value === "bigint") {
    if (value > MAX_SAFE) {
      let v = value;
      while (v >= 0x80n) {
        out[offset++] = Number(v & 0x7fn) | 0x80;
        v >>= 7n;
      }
      out[offset++] = Number(v);
      return offset;
    }
    value = Number(value);
  }
  while (value >= 0x80) {
    out[offset++] = (value % 128) | 0x80;
    value = Math.floor(value / 128);
  }
  out[offset++] = value;
  return offset;
}
