import { describe, expect, it } from "vitest";
import { imageMemoryEnv, imageNodeArgs } from "./image-env.js";

describe("imageMemoryEnv", () => {
  it("reads the runtime stage's memory settings, across continued lines", () => {
    const dockerfile = [
      "FROM node:24-bookworm-slim AS build",
      'ENV NODE_OPTIONS="--max-old-space-size=999"',
      "FROM node:24-bookworm-slim AS runtime",
      "ENV NODE_ENV=production",
      'ENV NODE_OPTIONS="--max-old-space-size=64 --max-semi-space-size=4" \\',
      "    MALLOC_CONF=narenas:1,background_thread:true \\",
      "    OTHER=x",
    ].join("\n");
    expect(imageMemoryEnv(dockerfile)).toEqual({
      NODE_OPTIONS: "--max-old-space-size=64 --max-semi-space-size=4",
      MALLOC_CONF: "narenas:1,background_thread:true",
    });
  });

  it("preloads the image's allocator here too, so the benches measure what pods run", () => {
    const env = imageMemoryEnv();
    expect(env.LD_PRELOAD).toBe("libjemalloc.so.2");
    expect(env.NODE_OPTIONS).toMatch(/--max-old-space-size=\d+/);
  });

  it("refuses a preload this machine lacks instead of measuring without it", () => {
    const dockerfile = "FROM x AS runtime\nENV LD_PRELOAD=libnot-here-at-all.so.9\n";
    expect(() => imageMemoryEnv(dockerfile)).toThrow(/lacks: apt-get install libjemalloc2/);
  });
});

describe("imageNodeArgs", () => {
  it("reads the Node arguments the runtime stage's CMD puts before the service", () => {
    const dockerfile = [
      "FROM x AS build",
      'CMD ["--not-this-stage", "dist/service/main.js"]',
      "FROM x AS runtime",
      'ENTRYPOINT ["node"]',
      'CMD ["--memory-saver-mode", "dist/service/main.js"]',
    ].join("\n");
    expect(imageNodeArgs(dockerfile)).toEqual(["--memory-saver-mode"]);
    expect(imageNodeArgs('FROM x\nCMD ["dist/service/main.js"]\n')).toEqual([]);
  });

  it("refuses a CMD that does not end in the service, rather than guess", () => {
    expect(() => imageNodeArgs('FROM x\nCMD ["dist/operator/main.js"]\n')).toThrow(
      /JSON array ending in dist\/service\/main.js/,
    );
    expect(() => imageNodeArgs("FROM x\nCMD node dist/service/main.js\n")).toThrow(/JSON array/);
  });
});
