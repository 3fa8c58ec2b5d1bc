/**
 * releaseWhenClosed() against a real node:http2 server and client: a closed stream drops its
 * listeners and Node's copies of what it sent, stays a closed and destroyed stream to anyone
 * who asks, and the session keeps serving.
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
import { SENT_FIELD_NAMES, releaseWhenClosed } from "./release-closed-streams.js";

let server: Http2Server;
let session: ClientHttp2Session;
const streams: ServerHttp2Stream[] = [];

beforeAll(async () => {
  server = createServer();
  server.on("stream", (stream) => {
    streams.push(stream);
    releaseWhenClosed(stream);
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
    const cancelled = session.request({ ":method": "POST", ":path": "/calc.Calc/Add" });
    cancelled.on("error", () => {});
    cancelled.close();
    await turns();
    const answers = await Promise.all(Array.from({ length: 20 }, call));
    expect(answers).toEqual(Array(20).fill("0"));
    await turns();
    expect(streams.slice(-20).every((s) => s.listenerCount("data") === 0)).toBe(true);
  });
});
