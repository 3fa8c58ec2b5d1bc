/**
 * adoptStreamRegistries() on real node:http2 sessions: this Node's session state is the shape
 * it expects (it fails here first when an upgrade changes it), and sessions with the registries
 * serve, close gracefully and are destroyed with streams open exactly as Node's own do.
 */
import {
  connect,
  constants,
  createServer,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type Http2Server,
  type ServerHttp2Session,
  type ServerHttp2Stream,
} from "node:http2";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { adoptStreamRegistries, PendingStreams, StreamsById } from "./stream-registries.js";

let server: Http2Server;
let client: ClientHttp2Session;
/** Server streams not answered yet, by request path ("/hold" requests wait here). */
const held: ServerHttp2Stream[] = [];
const adopted: boolean[] = [];
const sessions: ServerHttp2Session[] = [];

beforeEach(async () => {
  held.length = 0;
  adopted.length = 0;
  sessions.length = 0;
  server = createServer();
  server.on("session", (session) => sessions.push(session));
  server.on("stream", (stream, headers) => {
    adopted.push(adoptStreamRegistries(stream.session));
    stream.on("error", () => {});
    if (headers[":path"] === "/hold") {
      held.push(stream);
      return;
    }
    answer(stream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  client = connect(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  client.on("error", () => {});
});

afterEach(async () => {
  client.destroy();
  await new Promise((resolve) => server.close(resolve));
});

function answer(stream: ServerHttp2Stream): void {
  stream.respond({ ":status": 200 });
  stream.end("ok");
}

/** A request; resolves with its status and body, or the error code that ended it. */
function request(path: string): { stream: ClientHttp2Stream; done: Promise<string> } {
  const stream = client.request({ ":path": path });
  const done = new Promise<string>((resolve) => {
    let status = 0;
    let body = "";
    stream.on("response", (headers) => (status = Number(headers[":status"])));
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => (body += chunk));
    stream.on("error", (error: NodeJS.ErrnoException) => resolve(`error ${error.code}`));
    stream.on("close", () => resolve(status ? `${status} ${body}` : `closed ${stream.rstCode}`));
  });
  return { stream, done };
}

/** Node's state of a session, found as the module finds it. */
function stateOf(session: ServerHttp2Session): { streams: unknown; pendingStreams: unknown } {
  const key = Object.getOwnPropertySymbols(session).find((k) => k.description === "state")!;
  return (session as never)[key];
}

const until = async (condition: () => boolean): Promise<void> => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
};

describe("a session with the stream registries", () => {
  it("is what this Node's sessions get, and serves many streams, concurrent and one after another", async () => {
    for (let round = 0; round < 20; round++) {
      const answers = await Promise.all(Array.from({ length: 25 }, () => request("/").done));
      expect(answers).toEqual(Array(25).fill("200 ok"));
    }
    expect(adopted.length).toBe(500);
    expect(adopted.every(Boolean)).toBe(true);
    const state = stateOf(sessions[0]!);
    expect(state.streams).toBeInstanceOf(StreamsById);
    expect(state.pendingStreams).toBeInstanceOf(PendingStreams);
    await until(() => (state.streams as StreamsById<unknown>).size === 0);
    // 25 open at once at most: the table never grew past that, whatever the 500 streams seen
    expect((state.streams as StreamsById<unknown>).capacity).toBeLessThanOrEqual(64);
  });

  it("finds each open stream by its id, as Node does for every frame", async () => {
    const requests = Array.from({ length: 6 }, () => request("/hold"));
    await until(() => held.length === 6);
    const streams = stateOf(sessions[0]!).streams as StreamsById<ServerHttp2Stream>;
    expect(streams.size).toBe(6);
    for (const stream of held) expect(streams.get(stream.id)).toBe(stream);
    for (const stream of held.splice(0)) answer(stream);
    expect(await Promise.all(requests.map((r) => r.done))).toEqual(Array(6).fill("200 ok"));
    await until(() => streams.size === 0);
  });

  it("closes gracefully: open streams are still answered, then the session ends", async () => {
    const requests = Array.from({ length: 4 }, () => request("/hold"));
    await until(() => held.length === 4);
    const session = sessions[0]!;
    const closed = new Promise((resolve) => session.once("close", resolve));
    session.close();
    expect(session.closed).toBe(true);
    expect(session.destroyed).toBe(false); // waits for its open streams
    for (const stream of held.splice(0)) answer(stream);
    expect(await Promise.all(requests.map((r) => r.done))).toEqual(Array(4).fill("200 ok"));
    await closed;
    expect(session.destroyed).toBe(true);
  });

  it("is destroyed with streams open: every stream is destroyed with it", async () => {
    const requests = Array.from({ length: 5 }, () => request("/hold"));
    await until(() => held.length === 5);
    const serverStreams = [...held];
    sessions[0]!.destroy(undefined, constants.NGHTTP2_INTERNAL_ERROR);
    const outcomes = await Promise.all(requests.map((r) => r.done));
    expect(outcomes.every((outcome) => !outcome.startsWith("200"))).toBe(true);
    expect(serverStreams.every((stream) => stream.destroyed)).toBe(true);
    expect((stateOf(sessions[0]!).streams as StreamsById<unknown>).size).toBe(0);
  });
});

describe("adoptStreamRegistries", () => {
  it("keeps the streams a session already has, and is done once", async () => {
    const requests = Array.from({ length: 3 }, () => request("/hold"));
    await until(() => held.length === 3);
    const state = stateOf(sessions[0]!);
    const registry = state.streams;
    expect(adoptStreamRegistries(sessions[0])).toBe(true);
    expect(state.streams).toBe(registry);
    expect(sorted((registry as StreamsById<ServerHttp2Stream>).values())).toEqual(sorted(held));
    for (const stream of held.splice(0)) answer(stream);
    await Promise.all(requests.map((r) => r.done));
  });

  it("does nothing where a session's state is not Node 24's", () => {
    expect(adoptStreamRegistries(undefined)).toBe(false);
    const foreign = { [Symbol("state")]: { streams: {}, pendingStreams: {} } };
    expect(adoptStreamRegistries(foreign as unknown as ServerHttp2Session)).toBe(false);
  });
});

const sorted = (streams: Iterable<ServerHttp2Stream>): number[] =>
  [...streams].map((stream) => stream.id!).sort((a, b) => a - b);
