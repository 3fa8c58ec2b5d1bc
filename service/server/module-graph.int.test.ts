// What the service's module graph loads, checked where a stray import would cost every tenant
// process memory for code it does not run:
// - Node's bundled undici (fetch, WebSocket): about a MiB of heap. An ES-module import of
//   node:http loads it (the namespace reads every export, and three are getters that load
//   undici), so the service requires node:http (http-server.ts).
// - jose, the JWT library: ~2 MiB of RSS, needed only when authentication is on, so app.ts
//   imports the authenticator when config.auth is set, and the servers import only
//   service/auth/verdict.ts.
// - @grpc/proto-loader (with grpc-health-check and @grpc/reflection, which load it): ~2 MiB of
//   RSS. The server loads its protos with protobufjs (proto-package.ts), serves health itself
//   (health.ts) and loads reflection at its first call (reflection.ts).
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const moduleUrl = (path: string): string =>
  pathToFileURL(fileURLToPath(new URL(path, import.meta.url))).href;
const APP = moduleUrl("./app.ts");
const AUTHENTICATOR = moduleUrl("../auth/authenticator.ts");
const REFLECTION_INDEX = moduleUrl("./reflection-index.ts");
const LOADED_AT_FIRST_REFLECTION = ["@grpc/proto-loader", "@grpc/reflection"];

interface Loaded {
  /** Node's own modules (process.moduleLoadList). */
  builtins: string[];
  /** Packages from node_modules, by name ("pg", "@grpc/grpc-js"). */
  packages: string[];
}

/** What Node has loaded after evaluating `code` as an ES module (with tsx). */
function loadedBy(code: string): Loaded {
  const script = `
    const packages = new Set();
    process.getBuiltinModule("node:module").registerHooks({
      load(url, context, next) {
        const inPackages = url.split("/node_modules/")[1];
        if (inPackages) {
          const parts = inPackages.split("/");
          packages.add(parts[0].startsWith("@") ? parts[0] + "/" + parts[1] : parts[0]);
        }
        return next(url, context);
      },
    });
    ${code}
    console.log(JSON.stringify({ builtins: process.moduleLoadList, packages: [...packages] }));`;
  const out = execFileSync(
    process.execPath,
    ["--import", "tsx", "--input-type=module", "-e", script],
    { cwd: REPO, encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as Loaded;
}

const importOf = (url: string): string => `await import(${JSON.stringify(url)});`;

describe("the service's module graph", () => {
  const app = loadedBy(importOf(APP));

  it("does not load Node's bundled undici", () => {
    expect(app.builtins.filter((name) => name.includes("undici"))).toEqual([]);
  });

  it("does not load jose (the authenticator is imported only when authentication is on)", () => {
    expect(app.packages).toContain("@grpc/grpc-js"); // the probe sees packages at all
    expect(app.packages).not.toContain("jose");
  });

  it("does not load proto-loader, grpc-health-check or @grpc/reflection", () => {
    expect(app.packages).toContain("protobufjs");
    for (const name of [...LOADED_AT_FIRST_REFLECTION, "grpc-health-check"]) {
      expect(app.packages).not.toContain(name);
    }
  });

  it("would show each: an ES-module import of node:http loads undici, the authenticator jose, reflection's index proto-loader", () => {
    expect(loadedBy(importOf("node:http")).builtins.some((name) => name.includes("undici"))).toBe(
      true,
    );
    expect(loadedBy(importOf(AUTHENTICATOR)).packages).toContain("jose");
    expect(loadedBy(importOf(REFLECTION_INDEX)).packages).toEqual(
      expect.arrayContaining(LOADED_AT_FIRST_REFLECTION),
    );
  });
});
