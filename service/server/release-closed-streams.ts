/**
 * Closed HTTP/2 streams let go of what they reference.
 *
 * Why (bench/RESULTS.md, "why a closed stream outlives scavenges, and the fix"): a closed
 * stream survives the scavenges that follow its close until the next full GC. In a process's
 * first seconds the cause is Node 24's Writable state, which creates its write callback as an
 * arrow function assigned to a property (`this.onwrite = (er) => onwrite(stream, er)` in
 * lib/internal/streams/writable.js, since nodejs/node#62087): V8 allocates such a literal
 * directly in old space, and the scavenger takes every old-to-young pointer, dead or not, as a
 * root. Once warm the callback is young, and what still kept closed streams is the session's
 * Map and Set of its streams, whose retired hash tables stay linked from old space (fixed in
 * stream-registries.ts). So each stream, with everything it references, was copied, promoted
 * and later marked: per gRPC call the bulk of what the service promoted, and the full
 * collections it brings. The two fixes are needed together: with the registries alone the
 * service still promoted ~390 KB a scavenge under Add's load, with both 4 (RESULTS.md).
 *
 * Released: Node's copies of the headers and trailers the stream sent, at its close; the
 * listeners of a stream grpc-js answered (they hold its call objects), a whole event-loop turn
 * after the close, when Node has finished the stream's native side (cancelled writes report
 * back in an immediate); an 'error' listener that ignores stays, so a late error can never
 * crash the process. Kept for those: the readable and writable states and Node's other fields,
 * which grpc-js, still holding the stream, may read.
 *
 * Retired, for a stream the fast path answered (grpc-fast-unary.ts; nothing else holds it): at
 * the same moment, and only once no write callback is pending, its readable and writable states
 * are swapped for the states of an earlier stream that ended cleanly (shared by every retired
 * stream: a destroyed, closed, ended stream to any reader, so Node's destroy and error paths
 * return early on it and no 'error' can be emitted), and its listener table for a shared empty
 * one. That took what the service promotes per Add call from ~730 bytes to ~220, and its full
 * collections from 1.9 to 1.2 per 10,000 calls (RESULTS.md, 2026-12-03 23:00).
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
/** The same for streams to retire. */
let retiringLately: ServerHttp2Stream[] = [];
let retiringDue: ServerHttp2Stream[] = [];
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

/**
 * At its close, arranges for a stream whose only holder is the fast path to be retired a whole
 * turn later (see the top of this file).
 */
export function retireWhenClosed(stream: ServerHttp2Stream): void {
  retiringLately.push(stream);
  schedulePass();
}

/** Releases the streams due, and makes those closed since the last pass due at the next. */
function pass(): void {
  passScheduled = false;
  for (let i = 0; i < due.length; i++) dropListeners(due[i]!);
  due.length = 0;
  for (let i = 0; i < retiringDue.length; i++) retire(retiringDue[i]!);
  retiringDue.length = 0;
  [due, closedLately] = [closedLately, due];
  [retiringDue, retiringLately] = [retiringLately, retiringDue];
  if (due.length > 0 || retiringDue.length > 0) schedulePass();
}

/** The fields of Node's streams a retirement reads and replaces. */
interface StreamInternals {
  _readableState?: { errored: unknown };
  _writableState?: { errored: unknown; pendingcb: number };
  _events?: object;
  _eventsCount: number;
}

/** The states of the first stream that ended cleanly, lent to every stream retired after it. */
let ended: Pick<StreamInternals, "_readableState" | "_writableState"> | undefined;
/**
 * The listener table of retired streams: empty, as EventEmitter leaves one after
 * removeAllListeners(), and shared. A listener added to a retired stream would land here for
 * all of them (nothing does: a retired stream is destroyed and no longer held); if one ever
 * does, the next retirements get a fresh table.
 */
let noListeners: object = { __proto__: null };

function emptyListenerTable(): object {
  for (const _ in noListeners) {
    noListeners = { __proto__: null };
    break;
  }
  return noListeners;
}

function retire(stream: ServerHttp2Stream): void {
  const fields = stream as unknown as StreamInternals;
  const readable = fields._readableState;
  const writable = fields._writableState;
  if (!stream.destroyed || readable === undefined || writable === undefined) return;
  // A write whose callback is still to come (a reader too slow to take the answer off the
  // socket) reads the stream's own writable state then: such a stream keeps its states.
  if (writable.pendingcb !== 0) return;
  if (ended === undefined) {
    if (readable.errored == null && writable.errored == null) {
      ended = { _readableState: readable, _writableState: writable };
    }
    return;
  }
  fields._readableState = ended._readableState;
  fields._writableState = ended._writableState;
  fields._events = emptyListenerTable();
  fields._eventsCount = 0;
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
