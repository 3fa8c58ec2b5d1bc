/**
 * releaseWhenClosed() and retireWhenClosed() against a real node:http2 server and client: a
 * closed stream drops its listeners and Node's copies of what it sent (a retired one also its
 * own states), stays a closed and destroyed stream to anyone who asks, and the session keeps
 * serving.
 */
import {
  connect,
  createServer,
  type ClientHttp2Session,
  type Http2Server,
  type ServerHttp2Stream,
} from "node:http2";
import type { AddressInfo } from "node:net";
import { setImmediate as nextTurn } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SENT_FIELD_NAMES, releaseWhenClosed, retireWhenClosed } from "./release-closed-streams.js";

let server: Http2Server;
/** Whether new streams are retired (as the fast path does) instead of released. */
let retiring = false;
let session: ClientHttp2Session;
const streams: ServerHttp2Stream[] = [];

beforeAll(async () => {
  server = createServer();
  server.on("stream", (stream) => {
    streams.push(stream);
    if (retiring) stream.on("close", () => retireWhenClosed(stream));
    else releaseWhenClosed(stream);
    // a listener holding a large object, as grpc-js's listeners hold their call objects
    const callState = { payload: Buffer.alloc(1024) };
    stream.on("data", () => void callState.payload.length);
    stream.on("end", () => {
      stream.respond(
        { ":status": 200, "content-type": "application/grpc" },
        { waitForTrailers: true },
      );
      stream.on("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  session = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(async () => {
  session.close();
  await new Promise((resolve) => server.close(resolve));
});

/** One request, answered: resolves with the trailers' grpc-status. */
function call(): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const request = session.request({ ":method": "POST", ":path": "/calc.Calc/Add" });
    let status: string | undefined;
    request.on("trailers", (trailers) => (status = trailers["grpc-status"] as string));
    request.on("error", reject);
    request.on("close", () => resolve(status));
    request.resume();
    request.end(Buffer.from([0, 0, 0, 0, 0]));
  });
}

/** Enough event-loop turns for the release (a whole check phase after the close). */
async function turns(): Promise<void> {
  for (let i = 0; i < 4; i++) await nextTurn();
}

/**
 * A request the client cancels, then twenty answered at once, each expected to succeed; resolves
 * the server streams of the twenty, a release's worth of turns after they closed.
 */
async function cancelThenServeTwenty(): Promise<ServerHttp2Stream[]> {
  const cancelled = session.request({ ":method": "POST", ":path": "/calc.Calc/Add" });
  cancelled.on("error", () => {});
  cancelled.close();
  await turns();
  const answers = await Promise.all(Array.from({ length: 20 }, call));
  expect(answers).toEqual(Array(20).fill("0"));
  await turns();
  return streams.slice(-20);
}

/** Node's symbol-keyed fields for what a stream sent. */
function sentFields(stream: ServerHttp2Stream): unknown[] {
  return Object.getOwnPropertySymbols(stream)
    .filter((key) => SENT_FIELD_NAMES.includes(key.description ?? ""))
    .map((key) => (stream as unknown as Record<symbol, unknown>)[key]);
}

describe("releaseWhenClosed", () => {
  it("Node still keeps what a stream sent under the names it looks for", async () => {
    // if Node renames these fields, the release silently clears nothing: this test says so
    let heldBeforeClose: unknown[] = [];
    server.once("stream", (stream: ServerHttp2Stream) => {
      stream.prependListener("close", () => (heldBeforeClose = sentFields(stream)));
    });
    expect(await call()).toBe("0");
    // the headers as sent and the trailers as sent
    expect(heldBeforeClose.filter((value) => value !== undefined)).toHaveLength(2);
  });

  it("a closed stream drops its listeners and what it sent, and still reads as closed", async () => {
    expect(await call()).toBe("0");
    const stream = streams.at(-1)!;
    await turns();
    expect(stream.eventNames()).toEqual(["error"]);
    expect(stream.listeners("error")).toHaveLength(1);
    expect(sentFields(stream).every((value) => value === undefined)).toBe(true);
    expect(stream.sentTrailers).toBeUndefined();
    expect(stream.closed).toBe(true);
    expect(stream.destroyed).toBe(true);
    // a late error on a released stream is swallowed, never an uncaught 'error' event
    expect(() => stream.emit("error", new Error("late"))).not.toThrow();
  });

  it("the session keeps serving after streams are released, also after a cancelled one", async () => {
    const served = await cancelThenServeTwenty();
    expect(served.every((s) => s.listenerCount("data") === 0)).toBe(true);
  });
});

/** A stream's states and listener table, as Node keeps them. */
interface Internals {
  _readableState: object | undefined;
  _writableState: (object & { pendingcb: number }) | undefined;
  _events: object | undefined;
}
const internals = (stream: ServerHttp2Stream): Internals => stream as unknown as Internals;

describe("retireWhenClosed", () => {
  beforeAll(() => void (retiring = true));
  afterAll(() => void (retiring = false));

  it("retired streams share an ended stream's states, have no listeners, and read as closed", async () => {
    for (let i = 0; i < 3; i++) expect(await call()).toBe("0");
    const [, second, third] = streams.slice(-3) as [
      ServerHttp2Stream,
      ServerHttp2Stream,
      ServerHttp2Stream,
    ];
    await turns();
    expect(internals(second)._readableState).toBeDefined();
    expect(internals(second)._readableState).toBe(internals(third)._readableState);
    expect(internals(second)._writableState).toBe(internals(third)._writableState);
    expect(internals(third)._events).toBe(internals(second)._events);
    expect(third.eventNames()).toEqual([]);
    expect(third.closed).toBe(true);
    expect(third.destroyed).toBe(true);
    expect(third.writableEnded).toBe(true);
  });

  it("late calls on a retired stream neither throw nor emit an error", async () => {
    expect(await call()).toBe("0");
    const stream = streams.at(-1)!;
    await turns();
    expect(stream.eventNames()).toEqual([]); // retired
    const errors: unknown[] = [];
    stream.on("error", (error) => errors.push(error));
    expect(() => stream.destroy(new Error("late"))).not.toThrow();
    expect(() => stream.write(Buffer.from([1]))).not.toThrow();
    await turns();
    expect(errors).toEqual([]);
    expect(stream.listenerCount("error")).toBe(1);
    // the shared states were not made to look errored for the next retired stream
    expect(await call()).toBe("0");
    await turns();
    expect(streams.at(-1)!.errored).toBeNull();
    // the listener added late went to the shared table: later retirements get a fresh one
    expect(streams.at(-1)!.eventNames()).toEqual([]);
  });

  it("a stream with a write callback still to come keeps its own states", async () => {
    server.once("stream", (stream: ServerHttp2Stream) => {
      // as if a slow reader had not yet taken the answer off the socket
      stream.prependListener("close", () => void internals(stream)._writableState!.pendingcb++);
    });
    expect(await call()).toBe("0");
    const stream = streams.at(-1)!;
    const own = internals(stream)._writableState;
    await turns();
    expect(internals(stream)._writableState).toBe(own);
    internals(stream)._writableState!.pendingcb--;
  });

  it("the session keeps serving, a cancelled stream included", async () => {
    const served = await cancelThenServeTwenty();
    expect(served.every((s) => s.destroyed && s.eventNames().length === 0)).toBe(true);
  });
});
