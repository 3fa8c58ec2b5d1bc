// The floor's process: it must load what the service loads, the way the service loads it, and
// report its heap (a child Node process with the image's memory settings).
import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { REPO } from "../lib/build.js";
import { RUNTIME_MODULES, floorScript, measureRuntimeFloor } from "./floor.js";

describe("the runtime floor's process", () => {
  it("loads every module on the list, and not Node's bundled undici, which the service never loads", () => {
    const out = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `${floorScript()} console.log(JSON.stringify(process.moduleLoadList));`,
      ],
      { cwd: REPO, encoding: "utf8" },
    );
    const loaded = JSON.parse(out.trim().split("\n").pop()!) as string[];
    const builtins = RUNTIME_MODULES.filter((name) => name.startsWith("node:"));
    expect(builtins.filter((name) => !loaded.includes(`NativeModule ${name.slice(5)}`))).toEqual(
      [],
    );
    expect(loaded.filter((name) => name.includes("undici"))).toEqual([]);
  });

  it("reports its RSS and V8's heap by space, named as the service's /metrics names them", async () => {
    const floor = await measureRuntimeFloor(500);
    expect(Object.keys(floor.heapMib)).toEqual(expect.arrayContaining(["new", "old", "code"]));
    expect(floor.heapMib.old).toBeGreaterThan(1);
    expect(floor.anonMib).toBeGreaterThan(0);
    expect(floor.rssMib).toBeGreaterThan(floor.anonMib);
  }, 60_000);
});
