/**
 * A session's registries of its HTTP/2 streams, kept without V8's Map and Set.
 *
 * Why (bench/RESULTS.md, "2026-12-04 23:00 to 02:00 UTC"): Node keeps a session's streams by id
 * in a Map and its pending streams in a Set (`session[kState].streams` and `.pendingStreams`,
 * lib/internal/http2/core.js); every stream is added to both and deleted from both. V8 keeps a
 * Map's or Set's entries in an ordered hash table which, once deleted entries have used up its
 * slots, is rehashed into a new table, and the old table keeps a link to the new one (for live
 * iterators) and its entries. A session lives long, so its first tables end in old space, and
 * from then on every table that replaces them, with every stream recorded in it, is reachable
 * from old space: the scavenger takes every old-to-young pointer as a root, so closed streams
 * and the tables were copied twice, promoted and left for the next full collection. Under
 * `calc.Calc/Add`'s load that was nearly all the service promoted (83 KB a scavenge, 4 after)
 * and half its full collections, for 13 % of the CPU a call.
 *
 * The registries here keep streams in arrays whose slots are cleared on delete and which are
 * replaced only when they outgrow their largest size so far, so a closed stream is garbage as
 * soon as Node lets go of it. They implement what Node calls (the Map's get, set, delete, size
 * and forEach; the Set's add, delete, size and forEach) and the rest of Map's and Set's reading
 * methods; iteration order is not insertion order (Node only uses it to destroy every stream).
 */
import type { Http2Session } from "node:http2";
import { isMap, isSet } from "node:util/types";

/** The id no stream has (stream 0 is the connection): an empty slot. */
const EMPTY = 0;
const MAX_STREAM_ID = 0x7fffffff;

const isStreamId = (key: unknown): key is number =>
  typeof key === "number" && Number.isInteger(key) && key > 0 && key <= MAX_STREAM_ID;

/**
 * Streams by id: open addressing with linear probing over a power-of-two table at most half
 * full, deletion by backward shift (no tombstones, so churn never fills the table). Client
 * streams have odd, rising ids, so `id >>> 1` puts consecutive streams in consecutive slots.
 * A key that is not a stream id (Node never uses one) goes to an ordinary Map, so the registry
 * is a Map for any key.
 */
export class StreamsById<V> {
  private ids: Int32Array;
  private slots: (V | undefined)[];
  private count = 0;
  private others: Map<unknown, V> | undefined;

  constructor(capacity = 16) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(capacity, 4)));
    this.ids = new Int32Array(size);
    this.slots = new Array<V | undefined>(size).fill(undefined);
  }

  get size(): number {
    return this.count + (this.others?.size ?? 0);
  }

  /** Slots in the table: grows with the most streams open at once, never with churn. */
  get capacity(): number {
    return this.ids.length;
  }

  get(key: unknown): V | undefined {
    if (!isStreamId(key)) return this.others?.get(key);
    const slot = this.slotOf(key);
    return this.ids[slot] === key ? this.slots[slot] : undefined;
  }

  has(key: unknown): boolean {
    if (!isStreamId(key)) return this.others?.has(key) ?? false;
    return this.ids[this.slotOf(key)] === key;
  }

  set(key: unknown, value: V): this {
    if (!isStreamId(key)) {
      (this.others ??= new Map()).set(key, value);
      return this;
    }
    let slot = this.slotOf(key);
    if (this.ids[slot] !== key) {
      if ((this.count + 1) * 2 > this.ids.length) {
        this.rehash(this.ids.length * 2);
        slot = this.slotOf(key);
      }
      this.ids[slot] = key;
      this.count++;
    }
    this.slots[slot] = value;
    return this;
  }

  delete(key: unknown): boolean {
    if (!isStreamId(key)) return this.others?.delete(key) ?? false;
    let hole = this.slotOf(key);
    if (this.ids[hole] !== key) return false;
    this.count--;
    // Backward shift: an entry further along the run moves into the hole unless its home slot
    // lies cyclically after the hole (then it would no longer be found from its home).
    const mask = this.ids.length - 1;
    for (let next = (hole + 1) & mask; this.ids[next] !== EMPTY; next = (next + 1) & mask) {
      const home = this.home(this.ids[next]!);
      const staysPut = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (staysPut) continue;
      this.ids[hole] = this.ids[next]!;
      this.slots[hole] = this.slots[next];
      hole = next;
    }
    this.ids[hole] = EMPTY;
    this.slots[hole] = undefined;
    return true;
  }

  clear(): void {
    this.ids.fill(EMPTY);
    this.slots.fill(undefined);
    this.count = 0;
    this.others = undefined;
  }

  /** Calls back over a copy, so the callback may delete (Node destroys each stream in it). */
  forEach(callback: (value: V, key: unknown, map: this) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entryList()) callback.call(thisArg, value, key, this);
  }

  entries(): IterableIterator<[unknown, V]> {
    return this.entryList()[Symbol.iterator]();
  }

  keys(): IterableIterator<unknown> {
    const keys = this.entryList().map(([key]) => key);
    return keys[Symbol.iterator]();
  }

  values(): IterableIterator<V> {
    const values = this.entryList().map(([, value]) => value);
    return values[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<[unknown, V]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "StreamsById";
  }

  private entryList(): [unknown, V][] {
    const list: [unknown, V][] = [];
    for (let slot = 0; slot < this.ids.length; slot++) {
      if (this.ids[slot] !== EMPTY) list.push([this.ids[slot], this.slots[slot] as V]);
    }
    if (this.others !== undefined) list.push(...this.others);
    return list;
  }

  private home(id: number): number {
    return (id >>> 1) & (this.ids.length - 1);
  }

  /** The slot holding `id`, or the empty slot where it would go. */
  private slotOf(id: number): number {
    const mask = this.ids.length - 1;
    let slot = this.home(id);
    while (this.ids[slot] !== EMPTY && this.ids[slot] !== id) slot = (slot + 1) & mask;
    return slot;
  }

  private rehash(capacity: number): void {
    const ids = this.ids;
    const slots = this.slots;
    this.ids = new Int32Array(capacity);
    this.slots = new Array<V | undefined>(capacity).fill(undefined);
    for (let slot = 0; slot < ids.length; slot++) {
      const id = ids[slot]!;
      if (id === EMPTY) continue;
      const to = this.slotOf(id);
      this.ids[to] = id;
      this.slots[to] = slots[slot];
    }
  }
}

/**
 * Streams not yet given their id: a list, since a server stream is pending only inside its
 * own constructor and a client's only until its first headers go out.
 */
export class PendingStreams<T extends object> {
  private items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  add(item: T): this {
    if (!this.items.includes(item)) this.items.push(item);
    return this;
  }

  has(item: T): boolean {
    return this.items.includes(item);
  }

  delete(item: T): boolean {
    const index = this.items.indexOf(item);
    if (index < 0) return false;
    // pop() clears the last slot; the last item fills the one deleted
    const last = this.items.pop()!;
    if (index < this.items.length) this.items[index] = last;
    return true;
  }

  clear(): void {
    this.items.length = 0;
  }

  /** Calls back over a copy, so the callback may delete. */
  forEach(callback: (value: T, key: T, set: this) => void, thisArg?: unknown): void {
    for (const item of this.items.slice()) callback.call(thisArg, item, item, this);
  }

  values(): IterableIterator<T> {
    return this.items.slice()[Symbol.iterator]();
  }

  keys(): IterableIterator<T> {
    return this.values();
  }

  entries(): IterableIterator<[T, T]> {
    const entries = this.items.map((item): [T, T] => [item, item]);
    return entries[Symbol.iterator]();
  }

  [Symbol.iterator](): IterableIterator<T> {
    return this.values();
  }

  get [Symbol.toStringTag](): string {
    return "PendingStreams";
  }
}

interface SessionState {
  streams: unknown;
  pendingStreams: unknown;
}

/** Node's key of a session's state, found by its description on the first session seen. */
let stateKey: symbol | undefined;

function stateOf(session: Http2Session): SessionState | undefined {
  stateKey ??= Object.getOwnPropertySymbols(session).find((key) => key.description === "state");
  const fields = session as unknown as Record<symbol, unknown>;
  const state = stateKey === undefined ? undefined : fields[stateKey];
  return typeof state === "object" && state !== null ? (state as SessionState) : undefined;
}

/**
 * Gives a session the registries above in place of Node's Map and Set, keeping what they hold;
 * true once the session has them. Does nothing (false) where Node's session state is not what
 * it was in Node 24 (stream-registries.int.test.ts fails then, so an upgrade shows it).
 */
export function adoptStreamRegistries(session: Http2Session | undefined): boolean {
  const state = session === undefined ? undefined : stateOf(session);
  if (state === undefined) return false;
  if (state.streams instanceof StreamsById) return true;
  const { streams, pendingStreams } = state;
  // Node's SafeMap and SafeSet have no prototype in common with the user's Map and Set
  if (!isMap(streams) || !isSet(pendingStreams)) return false;
  const byId = new StreamsById<unknown>();
  Map.prototype.forEach.call(streams, (stream, id) => byId.set(id, stream));
  const pending = new PendingStreams<object>();
  Set.prototype.forEach.call(pendingStreams, (stream: object) => pending.add(stream));
  state.streams = byId;
  state.pendingStreams = pending;
  return true;
}
