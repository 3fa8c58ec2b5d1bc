/**
 * The lean path for our own unary methods: answered straight from the HTTP/2 stream of
 * grpc-js's server, without grpc-js's per-call machinery.
 *
 * Why: under load, grpc-js spends about as much CPU per unary call as Node's HTTP/2 itself
 * (an intercepting-call object, a stream decoder, a metrics recorder, promise hops for
 * compression, Metadata parsed from every header set). The service's calls are small and unary,
 * so that overhead was most of what it paid per call beyond HTTP/2 (bench/RESULTS.md).
 *
 * What stays with grpc-js: everything else. Connections (keepalive, max age, GOAWAY, graceful
 * and forced shutdown) are its sessions; the streams answered here are ordinary streams of those
 * sessions, so a graceful shutdown waits for them like for any call. Health, reflection, any
 * unknown method, a missing or foreign content-type, a compressed request and an unreadable
 * grpc-timeout go down grpc-js's own path, which answers them as before.
 *
 * The wire is the one grpc-js writes, byte for byte in headers and trailers: response headers
 * `content-type: application/grpc+proto`, `grpc-accept-encoding`, `grpc-encoding: identity`;
 * trailers `grpc-status`, `grpc-message` (URI-encoded); a failure before any message is a
 * trailers-only response. The statuses of a malformed call are grpc-js's too (tested side by
 * side in grpc-fast-unary.int.test.ts).
 *
 * The hook is grpc-js's per-stream handler, `Server#_streamHandler` (1.14, used when channelz
 * is off). It is not public API: installFastUnaryPath() refuses to start if it is missing, and
 * the integration tests fail if the path stops being taken.
 */
import type { ServerHttp2Stream, IncomingHttpHeaders } from "node:http2";
import * as grpc from "@grpc/grpc-js";
import { forgetSent, releaseWhenClosed, retireWhenClosed } from "./release-closed-streams.js";
import { adoptStreamRegistries } from "./stream-registries.js";

/** One method answered here: the same handler and codecs grpc-js was given for it. */
export interface FastUnaryMethod {
  readonly path: string;
  readonly deserialize: (bytes: Buffer) => unknown;
  readonly serialize: (value: unknown) => Buffer;
  readonly handler: grpc.handleUnaryCall<unknown, unknown>;
}

export interface FastUnaryOptions {
  /** Largest request message accepted, in bytes (grpc.max_receive_message_length). */
  readonly maxReceiveMessageLength: number;
}

/** What a handler may read of its call (the subset of grpc-js's ServerUnaryCall we serve). */
export interface FastUnaryCall {
  readonly request: unknown;
  readonly metadata: grpc.Metadata;
  readonly cancelled: boolean;
  getDeadline(): number;
  getPath(): string;
}

type StreamHandler = (
  this: grpc.Server,
  interceptors: unknown,
  stream: ServerHttp2Stream,
  headers: IncomingHttpHeaders,
) => void;

/**
 * The response headers of a call that succeeds, as a raw list: Node copies a header object into
 * a fresh dictionary on every respond() but takes a list as it is (appending `date` to it, so
 * every call needs its own list).
 */
const responseHeaders = (): string[] => [
  ":status",
  "200",
  "content-type",
  "application/grpc+proto",
  "grpc-accept-encoding",
  "identity,deflate,gzip",
  "grpc-encoding",
  "identity",
];
const OK_TRAILERS = Object.freeze({ "grpc-status": grpc.status.OK, "grpc-message": "OK" });
const WAIT_FOR_TRAILERS = Object.freeze({ waitForTrailers: true });
const END_STREAM = Object.freeze({ endStream: true });
/** grpc-timeout units, as grpc-js reads them. */
const TIMEOUT_UNIT_MS: Readonly<Partial<Record<string, number>>> = {
  H: 3_600_000,
  M: 60_000,
  S: 1_000,
  m: 1,
  u: 0.001,
  n: 0.000001,
};
/** Headers grpc-js strips from the metadata it gives handlers. */
const TRANSPORT_HEADERS = [
  "grpc-timeout",
  "grpc-encoding",
  "grpc-accept-encoding",
  "accept-encoding",
  "te",
  "content-type",
];
const ignore = (): void => {};

/**
 * Routes the given methods' streams to the lean path; every other stream keeps grpc-js's path.
 * Call before bindAsync (grpc-js binds its handler when it creates the HTTP/2 server).
 */
export function installFastUnaryPath(
  server: grpc.Server,
  methods: readonly FastUnaryMethod[],
  options: FastUnaryOptions,
): void {
  const internals = server as unknown as {
    _streamHandler?: StreamHandler;
    onStreamOpened?: (this: grpc.Server, stream: ServerHttp2Stream) => void;
  };
  const general = internals._streamHandler;
  if (typeof general !== "function") {
    throw new Error(
      "grpc-js has no Server#_streamHandler any more: the fast unary path " +
        "(service/server/grpc-fast-unary.ts) must be updated for this grpc-js version",
    );
  }
  const byPath = new Map(methods.map((m) => [m.path, m]));
  internals._streamHandler = function (this: grpc.Server, interceptors, stream, headers) {
    // once per session (then a check): its streams kept where closed ones are soon garbage
    adoptStreamRegistries(stream.session);
    const method = byPath.get(headers[":path"] ?? "");
    const timeoutMs = method && takesFastPath(headers) ? timeoutOf(headers) : undefined;
    if (method && timeoutMs !== undefined) {
      // grpc-js counts open streams per session for grpc.max_connection_idle_ms
      internals.onStreamOpened?.call(this, stream);
      new UnaryExchange(stream, headers, method, options.maxReceiveMessageLength, timeoutMs);
    } else {
      releaseWhenClosed(stream);
      general.call(this, interceptors, stream, headers);
    }
  };
}

/** Content-type gRPC's and no request compression: anything else is grpc-js's to answer. */
function takesFastPath(headers: IncomingHttpHeaders): boolean {
  const contentType = headers["content-type"];
  if (contentType === undefined || !contentType.startsWith("application/grpc")) return false;
  const encoding = headers["grpc-encoding"];
  return encoding === undefined || encoding === "identity";
}

/**
 * Milliseconds to the deadline (Infinity without one); undefined when grpc-js must judge the
 * value (it answers INTERNAL for one it cannot read). Digits, then a unit, as gRPC specifies.
 */
function timeoutOf(headers: IncomingHttpHeaders): number | undefined {
  const raw = headers["grpc-timeout"];
  if (typeof raw !== "string") return raw === undefined ? Infinity : undefined;
  const unitMs = TIMEOUT_UNIT_MS[raw.charAt(raw.length - 1)];
  const digits = raw.length - 1;
  if (unitMs === undefined || digits < 1 || digits > 8) return undefined;
  let value = 0;
  for (let i = 0; i < digits; i++) {
    const digit = raw.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return (value * unitMs) | 0;
}

/**
 * Deadline timers, armed late. Most calls are answered within the I/O turn that brought them
 * (the request's frames arrive together and the calculator answers synchronously), so a timer
 * per call would mostly be created only to be cleared. Calls still open when the turn ends get
 * their timer then, for the time left to the deadline measured from the call's start: the same
 * deadline grpc-js keeps, one setImmediate per turn instead of a timer per call.
 */
const awaitingTimer: UnaryExchange[] = [];
let armScheduled = false;

function armLater(exchange: UnaryExchange): void {
  awaitingTimer.push(exchange);
  if (!armScheduled) {
    armScheduled = true;
    setImmediate(armAwaiting);
  }
}

function armAwaiting(): void {
  armScheduled = false;
  const now = Date.now();
  for (let i = 0; i < awaitingTimer.length; i++) awaitingTimer[i]!.arm(now);
  awaitingTimer.length = 0;
}

function expire(exchange: UnaryExchange): void {
  exchange.fail(grpc.status.DEADLINE_EXCEEDED, "Deadline exceeded");
}

const EXCHANGE = Symbol("fast unary exchange");
type ExchangeStream = ServerHttp2Stream & { [EXCHANGE]: UnaryExchange | undefined };

function onStreamData(this: ExchangeStream, chunk: Buffer): void {
  this[EXCHANGE]?.onData(chunk);
}

function onStreamEnd(this: ExchangeStream): void {
  this[EXCHANGE]?.onEnd();
}

/**
 * A closed stream ends its call (a late answer is dropped, the deadline timer goes) and lets go
 * of the exchange: a closed stream outlives scavenges (release-closed-streams.ts), and what it
 * references would outlive them with it. Nothing but this path holds the stream, so it is
 * retired a turn later.
 */
function onStreamClose(this: ExchangeStream): void {
  this[EXCHANGE]?.close();
  this[EXCHANGE] = undefined;
  forgetSent(this);
  retireWhenClosed(this);
}

function sendOkTrailers(this: ServerHttp2Stream): void {
  this.sendTrailers(OK_TRAILERS);
}

/** One unary call: reads the whole request, hands it to the handler, writes its answer once. */
class UnaryExchange {
  private finished = false;
  private chunks: Buffer[] = [];
  private received = 0;
  private timer: NodeJS.Timeout | undefined;
  private readonly deadline: number = Infinity;
  /** The handler's callback (grpc-js's sendUnaryData). */
  readonly reply: grpc.sendUnaryData<unknown> = (error, value) => {
    if (error) {
      const details = error.details ?? ("message" in error ? error.message : "");
      this.fail(error.code ?? grpc.status.UNKNOWN, details);
    } else {
      this.succeed(value);
    }
  };

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly headers: IncomingHttpHeaders,
    private readonly method: FastUnaryMethod,
    private readonly maxReceive: number,
    timeoutMs: number,
  ) {
    // Counted from the start, as grpc-js does: a request whose message never completes is
    // answered DEADLINE_EXCEEDED too. An answer clears the timer; on a stream the client
    // cancelled it fires later and finds the call settled.
    if (timeoutMs !== Infinity) {
      this.deadline = Date.now() + timeoutMs;
      armLater(this);
    }
    // Errors on the stream come with a close; without a listener they would crash the process.
    // The listeners are shared functions that find the call on the stream: no closures per call.
    (stream as ExchangeStream)[EXCHANGE] = this;
    stream.on("error", ignore);
    stream.on("data", onStreamData);
    stream.on("end", onStreamEnd);
    stream.on("close", onStreamClose);
  }

  /** Starts the deadline timer of a call still open at the end of its first I/O turn. */
  arm(now: number): void {
    if (this.finished) return;
    this.timer = setTimeout(expire, Math.max(0, this.deadline - now), this);
  }

  onData(chunk: Buffer): void {
    if (this.finished) return;
    if (this.received < 5 && this.received + chunk.length >= 5) {
      const head = this.received === 0 ? chunk : Buffer.concat([...this.chunks, chunk]);
      const length = head.readUInt32BE(1);
      if (length > this.maxReceive) {
        this.fail(
          grpc.status.RESOURCE_EXHAUSTED,
          `Received message larger than max (${length} vs ${this.maxReceive})`,
        );
        return;
      }
    }
    this.chunks.push(chunk);
    this.received += chunk.length;
  }

  onEnd(): void {
    if (this.finished) return;
    const { chunks, method } = this;
    const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.received);
    this.chunks = [];
    const request = readOneMessage(body, method.path);
    if (!Buffer.isBuffer(request)) {
      this.fail(request.code, request.details);
      return;
    }
    let decoded: unknown;
    try {
      decoded = method.deserialize(request);
    } catch {
      this.fail(grpc.status.INTERNAL, "Error deserializing request");
      return;
    }
    const call = new FastCall(decoded, this.headers, this.stream, this.deadline, method.path);
    try {
      method.handler(call as unknown as grpc.ServerUnaryCall<unknown, unknown>, this.reply);
    } catch {
      this.fail(grpc.status.UNKNOWN, "Server method handler threw error");
    }
  }

  /** The stream closed: the call can no longer be answered. */
  close(): void {
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** True once: the first answer wins, and nothing is written to a closed stream. */
  private settle(): boolean {
    if (this.finished) return false;
    this.finished = true;
    if (this.timer) clearTimeout(this.timer);
    return !(this.stream.destroyed || this.stream.closed);
  }

  fail(code: grpc.status, details: string): void {
    if (!this.settle()) return;
    this.stream.respond(
      {
        "grpc-status": code,
        "grpc-message": encodeURI(details),
        ":status": 200,
        "content-type": "application/grpc+proto",
      },
      END_STREAM,
    );
  }

  private succeed(response: unknown): void {
    let body: Buffer;
    try {
      body = this.method.serialize(response);
    } catch {
      this.fail(grpc.status.INTERNAL, "Error serializing response");
      return;
    }
    if (!this.settle()) return;
    const frame = Buffer.allocUnsafe(body.length + 5);
    frame[0] = 0;
    frame.writeUInt32BE(body.length, 1);
    body.copy(frame, 5);
    const { stream } = this;
    stream.respond(responseHeaders(), WAIT_FOR_TRAILERS);
    stream.on("wantTrailers", sendOkTrailers);
    stream.end(frame);
  }
}

/**
 * The one message of a unary request, or grpc-js's status for a request without exactly one
 * (its wording; a compressed flag under identity encoding is read as is, as grpc-js does).
 */
function readOneMessage(
  body: Buffer,
  path: string,
): Buffer | { code: grpc.status; details: string } {
  const length = body.length >= 5 ? body.readUInt32BE(1) : -1;
  if (length < 0 || body.length < 5 + length) {
    return {
      code: grpc.status.UNIMPLEMENTED,
      details: `Received no request message for server streaming method ${path}`,
    };
  }
  if (body.length > 5 + length) {
    return {
      code: grpc.status.UNIMPLEMENTED,
      details: `Received a second request message for server streaming method ${path}`,
    };
  }
  return body.subarray(5);
}

/** The call a handler sees; its metadata is parsed only if asked for (authentication). */
class FastCall implements FastUnaryCall {
  private parsed: grpc.Metadata | undefined;

  constructor(
    readonly request: unknown,
    private readonly headers: IncomingHttpHeaders,
    private readonly stream: ServerHttp2Stream,
    private readonly deadline: number,
    private readonly path: string,
  ) {}

  get metadata(): grpc.Metadata {
    if (!this.parsed) {
      this.parsed = grpc.Metadata.fromHttp2Headers(this.headers);
      for (const name of TRANSPORT_HEADERS) this.parsed.remove(name);
    }
    return this.parsed;
  }

  get cancelled(): boolean {
    return this.stream.destroyed || this.stream.closed;
  }

  getDeadline(): number {
    return this.deadline;
  }

  getPath(): string {
    return this.path;
  }
}
