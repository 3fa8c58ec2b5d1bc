import { describe, expect, it } from "vitest";
import { parseVariant } from "./variant.js";

describe("parseVariant", () => {
  it("sends NAME=value words to the environment and the rest to Node, in order", () => {
    expect(
      parseVariant(
        " --max-semi-space-size=2  MALLOC_CONF=narenas:1,dirty_decay_ms:0 --no-opt UV_THREADPOOL_SIZE=2",
      ),
    ).toEqual({
      words: [
        "--max-semi-space-size=2",
        "MALLOC_CONF=narenas:1,dirty_decay_ms:0",
        "--no-opt",
        "UV_THREADPOOL_SIZE=2",
      ],
      nodeArgs: ["--max-semi-space-size=2", "--no-opt"],
      env: { MALLOC_CONF: "narenas:1,dirty_decay_ms:0", UV_THREADPOOL_SIZE: "2" },
    });
  });

  it("keeps a Node flag with a value as a Node argument, and an empty value as set-to-empty", () => {
    expect(parseVariant("--stack-size=900 MALLOC_CONF=")).toEqual({
      words: ["--stack-size=900", "MALLOC_CONF="],
      nodeArgs: ["--stack-size=900"],
      env: { MALLOC_CONF: "" },
    });
  });

  it("is the image's settings for an empty flag", () => {
    expect(parseVariant("  ")).toEqual({ words: [], nodeArgs: [], env: {} });
  });
});
