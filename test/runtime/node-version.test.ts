// One Node.js major everywhere: what the set-up lines fetch (scripts/lib/ensure.sh), what the
// image is built from (Dockerfile), what package.json admits (engines) and types (@types/node).
// A bump that forgets one of them fails here, not on a platform team's scanner.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const read = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");
const pkg = JSON.parse(read("package.json")) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

const ensured = /^NODE_VERSION=(\d+)\.\d+\.\d+$/m.exec(read("scripts/lib/ensure.sh"));
const MAJOR = Number(ensured?.[1]);

describe("the Node.js runtime", () => {
  it("is one LTS major (24 or later) in the set-up lines", () => {
    expect(ensured).not.toBeNull();
    expect(MAJOR).toBeGreaterThanOrEqual(24);
    expect(MAJOR % 2).toBe(0);
  });

  it("is the major every image stage is built from", () => {
    const bases = [...read("Dockerfile").matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    for (const base of bases) expect(base).toBe(`node:${MAJOR}-bookworm-slim`);
  });

  it("is what package.json admits (no end-of-life Node) and types", () => {
    expect(pkg.engines.node).toBe(`>=${MAJOR}`);
    expect(pkg.devDependencies["@types/node"]).toMatch(new RegExp(`^${MAJOR}\\.`));
  });

  it("is the Node running this test (the set-up lines put theirs first on PATH)", () => {
    expect(Number(process.versions.node.split(".")[0])).toBe(MAJOR);
  });
});
