// The service must not load Node's bundled undici (fetch, WebSocket): about a MiB of heap in
// every tenant process, for classes it never uses. An ES-module import of node:http loads it
// (the namespace reads every export, and three are getters that load undici), so the service
// requires node:http (http-server.ts); this catches such an import anywhere in its module graph.
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const APP = pathToFileURL(fileURLToPath(new URL("./app.ts", import.meta.url))).href;

/** The undici modules Node has loaded after evaluating `code` as an ES module (with tsx). */
function undiciLoadedBy(code: string): string[] {
  const out = execFileSync(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `${code}\nconsole.log(JSON.stringify(process.moduleLoadList.filter((m) => m.includes("undici"))));`,
    ],
    { cwd: REPO, encoding: "utf8" },
  );
  return JSON.parse(out.trim().split("\n").pop()!) as string[];
}

describe("Node's bundled undici", () => {
  it("is not loaded by the service's modules", () => {
    expect(undiciLoadedBy(`await import(${JSON.stringify(APP)});`)).toEqual([]);
  });

  it("is loaded by an ES-module import of node:http (what the test above guards against)", () => {
    expect(undiciLoadedBy(`await import("node:http");`)).not.toEqual([]);
  });
});
