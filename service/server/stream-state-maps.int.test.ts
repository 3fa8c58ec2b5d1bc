// settleStreamStateMaps (stream-state-maps.ts) must keep optimized stream code alive when a
// stream is first destroyed with an error. Checked in a child process with V8's natives
// syntax: a function that creates streams and reads their states, as Node's HTTP/2 path does,
// is optimized, then a stream is destroyed with an error. The control (not settled) shows
// that the first such error deoptimizes it: if a Node release stops doing that, the control
// fails and the workaround can go.
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const MODULE = pathToFileURL(
  fileURLToPath(new URL("./stream-state-maps.ts", import.meta.url)),
).href;

/** Whether the optimized function is still optimized after the first errored stream. */
function optimizedAfterFirstError(settled: boolean): { before: boolean; after: boolean } {
  const code = `
    import { Duplex } from "node:stream";
    const { settleStreamStateMaps } = await import(${JSON.stringify(MODULE)});
    if (${settled}) settleStreamStateMaps();
    const status = new Function("f", "return %GetOptimizationStatus(f)");
    const prepare = new Function("f", "%PrepareFunctionForOptimization(f)");
    const optimizeNext = new Function("f", "%OptimizeFunctionOnNextCall(f)");
    const OPTIMIZED = 16;
    const make = () => new Duplex({ read() {}, write: (c, e, done) => done() });
    function hot() {
      const s = make();
      return s._writableState.length + s._readableState.length + s.writableLength;
    }
    prepare(hot); hot(); hot(); optimizeNext(hot); hot();
    const before = (status(hot) & OPTIMIZED) !== 0;
    const failing = make();
    failing.on("error", () => {});
    failing.destroy(new Error("a reset connection"));
    const after = (status(hot) & OPTIMIZED) !== 0;
    console.log(JSON.stringify({ before, after }));
  `;
  const out = execFileSync(
    process.execPath,
    ["--allow-natives-syntax", "--import", "tsx", "--input-type=module", "-e", code],
    { cwd: REPO, encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as { before: boolean; after: boolean };
}

describe("settleStreamStateMaps", () => {
  it("keeps stream code optimized when a stream is first destroyed with an error", () => {
    expect(optimizedAfterFirstError(true)).toEqual({ before: true, after: true });
  });

  it("is needed: without it, the first errored stream deoptimizes that code", () => {
    expect(optimizedAfterFirstError(false)).toEqual({ before: true, after: false });
  });
});
