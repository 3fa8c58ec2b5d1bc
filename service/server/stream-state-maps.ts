/**
 * Give Node's stream states their "errored" shape before any hot code is optimized.
 *
 * Why (bench/RESULTS.md, "the recompilation after the first reset connection"): Node keeps a
 * stream's error in a property it adds to the stream's ReadableState and WritableState only
 * when the stream is first destroyed with an error (`state[kErroredValue] = err`, the
 * `errored` setter in lib/internal/streams/{readable,writable}.js). Until that happens in a
 * process, those states' hidden class has no successor, V8 treats it as stable, and TurboFan
 * code of the whole HTTP/2 and stream path (about forty functions: Readable.push, Writable's
 * write and end, the Http2Stream constructor, grpc-js's reply path...) leaves out its checks
 * on the condition that it stays so. The first client that resets its connection errors its
 * streams, the class gets a successor, and all that code is thrown away at once and compiled
 * again under load: a few hundred milliseconds of compiler time, paid inside whatever is
 * being measured or served then. Destroying one stream with an error at start-up gives the
 * class its successor while nothing is compiled yet, so the optimized code never depends on
 * it.
 *
 * The states' shape depends only on the `encoding` and `defaultEncoding` options, which
 * neither Node's HTTP/2 streams nor its sockets set, so one plain Duplex covers them.
 */
import { Duplex } from "node:stream";

export function settleStreamStateMaps(): void {
  const stream = new Duplex({ read() {}, write: (_chunk, _encoding, done) => done() });
  stream.on("error", () => {});
  stream.destroy(new Error("settles the stream states' shape (not a failure)"));
}
