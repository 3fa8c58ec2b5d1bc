/**
 * The fast unary path against grpc-js's own path, side by side: two real servers with the same
 * handlers, one with installFastUnaryPath(), one without, and the same raw HTTP/2 requests
 * (well-formed and malformed) sent to both. Headers, body and trailers must match, and the
 * fast server must really have answered through the fast path.
 */
import * as grpc from "@grpc/grpc-js";
import { EventEmitter } from "node:events";
import {
  connect,
  type ClientHttp2Session,
  type ClientHttp2Stream,
  type OutgoingHttpHeaders,
} from "node:http2";
import { setTimeout as delay } from "node:timers/promises";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FastUnaryMethod, installFastUnaryPath } from "./grpc-fast-unary.js";
import type { ModuleFactory } from "./module.js";
import { StreamsById } from "./stream-registries.js";
import { loadProtos, serviceDefinition } from "./protos.js";
import { client, startTestApp, unary } from "./testing/harness.js";
import { framed, openRaw, type RawAnswer, sendRaw } from "./testing/raw-grpc.js";

const MAX_RECEIVE = 64 * 1024;

interface Seen {
  fast: boolean;
  metadata: Record<string, unknown>;
  deadline: number;
}

interface Side {
  server: grpc.Server;
  session: ClientHttp2Session;
  seen: Seen[];
}

let fast: Side;
let plain: Side;

const definition = serviceDefinition(loadProtos(["calc.proto"]), "calc.Calc");
const encodeAdd = (a: string, b: string): Buffer => definition.Add!.requestSerialize({ a, b });

type AddCall = grpc.ServerUnaryCall<{ a: string; b: string }, unknown>;

/** Max answers after `b` milliseconds (a slow handler); NthPrimes fails with a status. */
function handlers(seen: Seen[]): grpc.UntypedServiceImplementation {
  const record = (call: grpc.ServerUnaryCall<unknown, unknown>): void => {
    seen.push({
      fast: !(call instanceof EventEmitter), // grpc-js's calls are EventEmitters; ours is not
      metadata: call.metadata.getMap(),
      deadline: call.getDeadline() as number,
    });
  };
  return {
    Add: (call: AddCall, callback: grpc.sendUnaryData<unknown>) => {
      record(call);
      callback(null, { sum: String(BigInt(call.request.a) + BigInt(call.request.b)) });
    },
    Max: (call: AddCall, callback: grpc.sendUnaryData<unknown>) => {
      record(call);
      setTimeout(() => callback(null, { max: call.request.a }), Number(call.request.b));
    },
    NthPrimes: (
      call: grpc.ServerUnaryCall<unknown, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) => {
      record(call);
      callback({ code: grpc.status.INVALID_ARGUMENT, details: "n = 0 is not 1..10001 (ü %)" });
    },
  };
}

async function startSide(withFastPath: boolean): Promise<Side> {
  const seen: Seen[] = [];
  const server = new grpc.Server({
    "grpc.enable_channelz": 0,
    "grpc.max_receive_message_length": MAX_RECEIVE,
  });
  const implementation = handlers(seen);
  server.addService(definition, implementation);
  if (withFastPath) {
    const methods: FastUnaryMethod[] = Object.entries(definition).map(([name, m]) => ({
      path: m.path,
      deserialize: m.requestDeserialize,
      serialize: m.responseSerialize as (value: unknown) => Buffer,
      handler: implementation[name] as grpc.handleUnaryCall<unknown, unknown>,
    }));
    installFastUnaryPath(server, methods, { maxReceiveMessageLength: MAX_RECEIVE });
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return { server, session: connect(`http://127.0.0.1:${port}`), seen };
}

beforeAll(async () => {
  fast = await startSide(true);
  plain = await startSide(false);
});

afterAll(() => {
  for (const side of [fast, plain]) {
    side.session.close();
    side.server.forceShutdown();
  }
});

/** Sends the same request to both servers; returns the fast server's answer after comparing. */
async function bothAgree(
  path: string,
  body: Buffer,
  extra: OutgoingHttpHeaders = {},
  complete = true,
): Promise<RawAnswer> {
  const [ours, theirs] = await Promise.all([
    sendRaw(fast.session, path, body, extra, complete),
    sendRaw(plain.session, path, body, extra, complete),
  ]);
  expect(ours).toEqual(theirs);
  return ours;
}

const ADD = "/calc.Calc/Add";

describe("the fast unary path answers exactly as grpc-js does", () => {
  it("a call: headers, message and trailers, through the fast path", async () => {
    const before = fast.seen.length;
    const answer = await bothAgree(ADD, framed(encodeAdd("40", "2")));
    expect(answer.headers).toMatchObject({
      ":status": 200,
      "content-type": "application/grpc+proto",
      "grpc-encoding": "identity",
    });
    expect(answer.trailers).toEqual({ "grpc-status": "0", "grpc-message": "OK" });
    expect(
      definition.Add!.responseDeserialize(Buffer.from(answer.body, "hex").subarray(5)),
    ).toEqual({ sum: "42" });
    expect(fast.seen.slice(before).map((s) => s.fast)).toEqual([true]);
    expect(plain.seen.at(-1)?.fast).toBe(false);
  });

  it("keeps each session's streams in the stream registries (stream-registries.ts)", async () => {
    await bothAgree(ADD, framed(encodeAdd("1", "2")));
    // grpc-js's record of its listeners' sessions (private, read only here)
    type Listeners = Map<unknown, { sessions: Set<object> }>;
    const registries = (side: Side): unknown[] =>
      [...(side.server as unknown as { http2Servers: Listeners }).http2Servers.values()]
        .flatMap((listener) => [...listener.sessions])
        .map((session) => {
          const key = Object.getOwnPropertySymbols(session).find((k) => k.description === "state");
          return (session as Record<symbol, { streams: unknown }>)[key!]!.streams;
        });
    expect(registries(fast).length).toBeGreaterThan(0);
    expect(registries(fast).every((streams) => streams instanceof StreamsById)).toBe(true);
    expect(registries(plain).some((streams) => streams instanceof StreamsById)).toBe(false);
  });

  it("a handler's status, its details URI-encoded, as a trailers-only answer", async () => {
    const answer = await bothAgree("/calc.Calc/NthPrimes", framed(Buffer.alloc(0)));
    expect(answer.headers["grpc-status"]).toBe(String(grpc.status.INVALID_ARGUMENT));
    expect(decodeURI(String(answer.headers["grpc-message"]))).toBe("n = 0 is not 1..10001 (ü %)");
  });

  it("hands the handler the same metadata and deadline", async () => {
    const extra = { authorization: "Bearer abc", "x-trace": "t-1", "grpc-timeout": "5S" };
    const started = Date.now();
    await bothAgree(ADD, framed(encodeAdd("1", "2")), extra);
    const answered = Date.now();
    const [ours, theirs] = [fast.seen.at(-1)!, plain.seen.at(-1)!];
    expect(ours.fast).toBe(true);
    expect(ours.metadata).toEqual(theirs.metadata);
    expect(ours.metadata).toEqual({ authorization: "Bearer abc", "x-trace": "t-1" });
    expect(ours.deadline).toBeGreaterThanOrEqual(started + 5000);
    // 5 s from the call's arrival, which lies between the two readings (no wall-clock bound)
    expect(ours.deadline).toBeLessThanOrEqual(answered + 5000);
  });

  it.each([
    ["no message", Buffer.alloc(0)],
    ["a cut message", framed(encodeAdd("1", "2")).subarray(0, 7)],
    ["a cut length prefix", Buffer.from([0, 0])],
    ["two messages", Buffer.concat([framed(encodeAdd("1", "2")), framed(encodeAdd("3", "4"))])],
    ["bytes that are not an AddRequest", framed(Buffer.from([0x08, 0xff, 0xff]))],
    ["a message over the size limit", framed(Buffer.alloc(MAX_RECEIVE + 1, 1))],
  ])("refuses %s with grpc-js's status", async (_what, body) => {
    const answer = await bothAgree(ADD, body);
    expect(Number(answer.headers["grpc-status"] ?? answer.trailers["grpc-status"])).toBeGreaterThan(
      grpc.status.OK,
    );
  });

  it("answers the compressed flag under identity as a normal call (as grpc-js does)", async () => {
    const answer = await bothAgree(ADD, framed(encodeAdd("1", "2"), true));
    expect(answer.trailers["grpc-status"]).toBe("0");
  });

  it("answers DEADLINE_EXCEEDED when a slow handler outlives the deadline", async () => {
    const body = framed(definition.Max!.requestSerialize({ a: "1", b: "300" }));
    const answer = await bothAgree("/calc.Calc/Max", body, { "grpc-timeout": "50m" });
    expect(answer.headers["grpc-status"]).toBe(String(grpc.status.DEADLINE_EXCEEDED));
    await delay(350); // the handler's late answer must be dropped quietly on both
  });

  it("answers DEADLINE_EXCEEDED when the request's message never completes", async () => {
    const cut = framed(encodeAdd("1", "2")).subarray(0, 7);
    const answer = await bothAgree(ADD, cut, { "grpc-timeout": "100m" }, false);
    expect(answer.headers["grpc-status"]).toBe(String(grpc.status.DEADLINE_EXCEEDED));
  });

  it.each([
    ["an unreadable grpc-timeout", ADD, framed(encodeAdd("1", "2")), { "grpc-timeout": "soon" }],
    [
      "a gzip-compressed request",
      ADD,
      framed(gzipSync(encodeAdd("20", "22")), true),
      { "grpc-encoding": "gzip" },
    ],
    ["a foreign content-type", ADD, framed(encodeAdd("1", "2")), { "content-type": "text/plain" }],
    ["an unknown method", "/calc.Calc/Divide", framed(encodeAdd("1", "2")), {}],
  ])("leaves %s to grpc-js", async (_what, path, body, extra) => {
    const before = fast.seen.length;
    await bothAgree(path, body, extra);
    expect(fast.seen.slice(before).every((s) => !s.fast)).toBe(true);
  });

  it("survives a client that cancels before the answer, and keeps serving", async () => {
    const body = framed(definition.Max!.requestSerialize({ a: "1", b: "100" }));
    const request = openRaw(fast.session, "/calc.Calc/Max");
    request.on("error", () => {});
    request.end(body);
    await delay(20);
    request.close(0x8); // CANCEL
    await delay(150); // the handler answers after the stream is gone
    const answer = await bothAgree(ADD, framed(encodeAdd("1", "1")));
    expect(answer.trailers["grpc-status"]).toBe("0");
  });
});

describe("a grpc-js client through the fast path", () => {
  it("gets its answer and its status codes", async () => {
    const Client = grpc.makeGenericClientConstructor(definition, "Calc");
    const port = (fast.session.socket.remotePort as number) ?? 0;
    const c = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as grpc.Client &
      Record<string, (...args: unknown[]) => void>;
    const call = (method: string, request: object): Promise<unknown> =>
      new Promise((resolve) =>
        c[method]!(request, (e: grpc.ServiceError | null, r: unknown) => resolve(e ? e.code : r)),
      );
    expect(await call("Add", { a: "9007199254740993", b: "1" })).toEqual({
      sum: "9007199254740994",
    });
    expect(await call("NthPrimes", { n: [] })).toBe(grpc.status.INVALID_ARGUMENT);
    c.close();
    expect(fast.seen.at(-1)?.fast).toBe(true);
  });
});

describe("the service's own methods", () => {
  it("take the fast path in the composed app", async () => {
    const calls: boolean[] = [];
    const probe: ModuleFactory = {
      name: "probe",
      create: () => ({
        name: "probe",
        grpc: [
          {
            name: "calc.Calc",
            protoFile: "calc.proto",
            handlers: {
              Add: (_request, call) => (calls.push(!(call instanceof EventEmitter)), { sum: "0" }),
              Max: () => ({ max: "0" }),
              NthPrimes: () => ({ nthPrimes: [] }),
            },
          },
        ],
      }),
    };
    const t = await startTestApp({}, [probe]);
    try {
      const calc = client("calc.Calc", t.grpcAddress);
      expect(await unary(calc, "Add", { a: "1", b: "2" })).toEqual({ sum: "0" });
      calc.close();
      expect(calls).toEqual([true]);
    } finally {
      await t.close();
    }
  });
});

describe("a large answer (many HTTP/2 frames and flow-control windows)", () => {
  const USERS = 2000;
  const users = Array.from({ length: USERS }, (_, n) => ({
    id: `u-${n}`,
    age: n % 120,
    name: { first: `Maël ${n}`, last: "Ångström" },
    email: `user${n}@example.com`,
    phone: "+1 555 0100",
    address: `${n} Long Street, Springfield`,
  }));
  const answer = { status: { code: "SUCCESS", msg: `${USERS} users` }, users };
  const userDefinition = serviceDefinition(loadProtos(["user.proto"]), "user.UserService");
  /** protobufjs's bytes for the answer, framed: what the client must receive. */
  const expected = framed(userDefinition.List!.responseSerialize(answer)).toString("hex");
  const directory: ModuleFactory = {
    name: "directory",
    create: () => ({
      name: "directory",
      grpc: [
        {
          name: "user.UserService",
          protoFile: "user.proto",
          handlers: {
            Create: () => ({}),
            List: () => answer,
            GetByEmail: () => ({}),
            SearchName: () => ({}),
            SearchAge: () => ({}),
          },
        },
      ],
    }),
  };
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let session: ClientHttp2Session;
  beforeAll(async () => {
    t = await startTestApp({}, [directory]);
    session = connect(`http://${t.grpcAddress}`);
  });
  afterAll(async () => {
    session.close();
    await t.close();
  });
  const request = (): ClientHttp2Stream => openRaw(session, "/user.UserService/List");

  it("reaches a grpc-js client whole", async () => {
    expect(expected.length / 2).toBeGreaterThan(3 * 65_535); // several default windows
    const UserClient = grpc.makeGenericClientConstructor(userDefinition, "UserService");
    const c = new UserClient(t.grpcAddress, grpc.credentials.createInsecure());
    const got = await unary(c, "List", {});
    c.close();
    expect(got.users).toHaveLength(USERS);
    expect(got).toEqual(answer);
  });

  it("waits for a reader that stops reading, then sends the rest, byte for byte", async () => {
    const call = request();
    const chunks: Buffer[] = [];
    let trailers: Record<string, unknown> = {};
    call.on("trailers", (t: Record<string, unknown>) => (trailers = { ...t }));
    call.end(framed(Buffer.alloc(0)));
    // The first bytes, then nothing read for a while: the rest waits on the flow-control window.
    await new Promise<void>((resolve) =>
      call.once("data", (c: Buffer) => (chunks.push(c), resolve())),
    );
    call.pause();
    await delay(200);
    const ended = new Promise<void>((resolve) => call.on("end", resolve));
    call.on("data", (c: Buffer) => chunks.push(c));
    call.resume();
    await ended;
    expect(Buffer.concat(chunks).toString("hex")).toBe(expected);
    expect(trailers["grpc-status"]).toBe("0");
  });

  it("survives a reader that cancels in the middle, and keeps serving", async () => {
    for (let i = 0; i < 5; i++) {
      const call = request();
      call.on("error", () => {});
      call.end(framed(Buffer.alloc(0)));
      await new Promise((resolve) => call.once("data", resolve));
      call.close(0x8); // CANCEL
    }
    const whole = await sendRaw(session, "/user.UserService/List", framed(Buffer.alloc(0)));
    expect(whole.body).toBe(expected);
    expect(whole.trailers["grpc-status"]).toBe("0");
  });
});
