/**
 * Closed HTTP/2 streams let go of what they reference.
 *
 * Why (bench/RESULTS.md, "why a closed stream outlives scavenges, and the fix"): Node 24's Writable state
 * creates its write callback as an arrow function assigned to a property
 * (`this.onwrite = (er) => onwrite(stream, er)` in lib/internal/streams/writable.js, since
 * nodejs/node#62087), and V8 allocates a function literal assigned to a property directly in
 * old space. Once the stream is done, that dead old closure still points at the young context
 * that holds the stream, and the scavenger takes every old-to-young pointer as a root: each
 * HTTP/2 stream, with everything it references, survives every scavenge until the next full
 * GC. Per gRPC call that was ~1.7 KB copied, promoted and later mark-compacted, a large part
 * of the service's CPU per call. The stream itself cannot be freed sooner; what it references
 * can be.
 *
 * Released: Node's copies of the headers and trailers the stream sent, at its close; the
 * listeners of a stream grpc-js answered (they hold its call objects), a whole event-loop turn
 * after the close, when Node has finished the stream's native side (cancelled writes report
 * back in an immediate); an 'error' listener that ignores stays, so a late error can never
 * crash the process. The fast path (grpc-fast-unary.ts) keeps its listeners, which are shared
 * functions, and drops its own exchange. Kept: the readable and writable states and Node's
 * other fields, which Node's own code may still read after a close.
 */
import type { ServerHttp2Stream } from "node:http2";
import { EventEmitter } from "node:events";

/**
 * Node's fields for what a stream sent, by their description: a stream has a field only once it
 * has sent that, so the first streams released are searched until all are known (none are found
 * if Node renames them, and nothing is cleared then).
 */
export const SENT_FIELD_NAMES: readonly string[] = ["sent-headers", "raw-headers", "sent-trailers"];
const sentFields: symbol[] = [];
let searchesLeft = 256;

function learnSentFields(stream: ServerHttp2Stream): void {
  searchesLeft--;
  for (const key of Object.getOwnPropertySymbols(stream)) {
    if (SENT_FIELD_NAMES.includes(key.description ?? "") && !sentFields.includes(key)) {
      sentFields.push(key);
    }
  }
}

const ignore = (): void => {};
/** Closed since the last pass, and closed before it (released at the next pass). */
let closedLately: ServerHttp2Stream[] = [];
let due: ServerHttp2Stream[] = [];
let passScheduled = false;

/**
 * Arranges for a stream whose listeners are someone else's (grpc-js's) to drop them and what it
 * sent once it has closed.
 */
export function releaseWhenClosed(stream: ServerHttp2Stream): void {
  stream.on("close", onClose);
}

function onClose(this: ServerHttp2Stream): void {
  forgetSent(this);
  closedLately.push(this);
  schedulePass();
}

function schedulePass(): void {
  if (passScheduled) return;
  passScheduled = true;
  setImmediate(pass);
}

/** Releases the streams due, and makes those closed since the last pass due at the next. */
function pass(): void {
  passScheduled = false;
  for (let i = 0; i < due.length; i++) dropListeners(due[i]!);
  due.length = 0;
  [due, closedLately] = [closedLately, due];
  if (due.length > 0) schedulePass();
}

function dropListeners(stream: ServerHttp2Stream): void {
  // EventEmitter's own removeAllListeners: Readable's adds a nextTick a closed stream needs not
  EventEmitter.prototype.removeAllListeners.call(stream);
  stream.on("error", ignore);
}

/**
 * Drops Node's copies of the headers and trailers a closed stream sent. Safe at its 'close':
 * after it, Node reads them only in the sentHeaders and sentTrailers getters.
 */
export function forgetSent(stream: ServerHttp2Stream): void {
  if (sentFields.length < SENT_FIELD_NAMES.length && searchesLeft > 0) learnSentFields(stream);
  const fields = stream as unknown as Record<symbol, unknown>;
  for (let i = 0; i < sentFields.length; i++) {
    const key = sentFields[i]!;
    if (fields[key] !== undefined) fields[key] = undefined;
  }
}
