// The floor of a unary gRPC call on Node.js: a bare node:http2 server (no grpc-js, no codec, no
// handler) that answers every stream with one fixed calc.Calc/Add answer, headers, message and
// trailers as a gRPC server writes them. bench/gc.ts runs it beside ours.
//
// CLEAR_CLOSED=1 is a diagnostic, not something to ship: a turn after a stream's 'close' it
// clears the stream's own fields, so what a closed stream keeps alive can no longer be reached
// through it; the difference in what the scavenger promotes is the weight of closed streams.
// (They outlive scavenges because Node's Writable state allocates its write callback, which
// holds the stream, in old space: see service/server/release-closed-streams.ts.)
//
// STREAM_REGISTRIES=1 gives each session the service's stream registries
// (service/server/stream-registries.ts, from dist/) in place of Node's Map and Set of streams,
// whose retired hash tables keep closed streams reachable from old space.
import http2 from "node:http2";

const port = Number(process.env.GRPC_PORT);
const clearClosed = process.env.CLEAR_CLOSED === "1";
const { adoptStreamRegistries } =
  process.env.STREAM_REGISTRIES === "1"
    ? await import("../../dist/service/server/stream-registries.js")
    : { adoptStreamRegistries: () => false };
// An Add answer (field 1, a varint) behind gRPC's 5-byte message header.
const message = Buffer.from([0x08, 0xb8, 0xd1, 0x23]);
const answer = Buffer.concat([Buffer.from([0, 0, 0, 0, message.length]), message]);

function clearOwnFields(stream) {
  for (const key of Reflect.ownKeys(stream)) {
    try {
      stream[key] = undefined;
    } catch {
      // a read-only field stays
    }
  }
}

const server = http2.createServer();
server.on("stream", (stream) => {
  adoptStreamRegistries(stream.session);
  stream.on("error", () => {});
  stream.on("data", () => {});
  stream.on("end", () => {
    stream.respond(
      { ":status": 200, "content-type": "application/grpc+proto", "grpc-encoding": "identity" },
      { waitForTrailers: true },
    );
    stream.on("wantTrailers", () =>
      stream.sendTrailers({ "grpc-status": "0", "grpc-message": "OK" }),
    );
    stream.end(answer);
  });
  if (clearClosed) stream.on("close", () => setImmediate(clearOwnFields, stream));
});
server.listen(port, "127.0.0.1", () => console.log("ready"));
