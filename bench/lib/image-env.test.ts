import { describe, expect, it } from "vitest";
import { imageMemoryEnv, imageNodeFlags } from "./image-env.js";

const DOCKERFILE = `FROM node:24 AS build
ENV NODE_OPTIONS="--max-old-space-size=512"
CMD ["--inspect", "build.js"]

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production
ENV NODE_OPTIONS="--max-old-space-size=64 --max-semi-space-size=4" MALLOC_ARENA_MAX=2
ENTRYPOINT ["node"]
CMD ["--single-threaded-gc", "dist/service/main.js"]
`;

describe("the image's settings, read from the Dockerfile", () => {
  it("takes the runtime stage's memory variables, not the build stage's", () => {
    expect(imageMemoryEnv(DOCKERFILE)).toEqual({
      NODE_OPTIONS: "--max-old-space-size=64 --max-semi-space-size=4",
      MALLOC_ARENA_MAX: "2",
    });
  });

  it("takes the node flags before the script of the runtime stage's CMD", () => {
    expect(imageNodeFlags(DOCKERFILE)).toEqual(["--single-threaded-gc"]);
    expect(imageNodeFlags(DOCKERFILE.replace('"--single-threaded-gc", ', ""))).toEqual([]);
  });

  it("reads the repository's Dockerfile (the flags the benches run ours with)", () => {
    expect(imageMemoryEnv().NODE_OPTIONS).toContain("--max-old-space-size=");
    expect(imageNodeFlags()).toContain("--single-threaded-gc");
  });
});
