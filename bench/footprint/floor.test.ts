import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO } from "../lib/build.js";
import { RUNTIME_MODULES } from "./floor.js";

/** The bare specifiers ("pg", "@grpc/grpc-js", "node:http") the service's non-test code imports. */
function serviceImports(dir = join(REPO, "service")): Set<string> {
  const found = new Set<string>();
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".ts") || /\.test\.ts$/.test(entry.name)) continue;
    const source = readFileSync(join(entry.parentPath, entry.name), "utf8");
    for (const [, specifier] of source.matchAll(/from "([^".][^"]*)"/g)) {
      const parts = specifier!.split("/");
      found.add(specifier!.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0]!);
    }
  }
  return found;
}

describe("the runtime floor's modules", () => {
  it("are all imported by the service's code, so the floor holds nothing the service does not", () => {
    const imported = serviceImports();
    expect(RUNTIME_MODULES.filter((name) => !imported.has(name))).toEqual([]);
  });

  it("are runtime dependencies of the package (never dev-only ones)", () => {
    const { dependencies } = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    const packages = RUNTIME_MODULES.filter((name) => !name.startsWith("node:"));
    expect(packages.filter((name) => !(name in dependencies))).toEqual([]);
  });
});
