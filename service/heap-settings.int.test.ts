// The heap settings change what V8 does: the same old-space churn, in two fresh Node processes
// bounded like a tenant's (the image's NODE_OPTIONS), runs fewer full collections with them.
import { execFileSync } from "node:child_process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const SETTINGS = fileURLToPath(new URL("./heap-settings.ts", import.meta.url));

// Keeps ~8 MiB live, then churns 4 million small objects through a ring that holds each one long
// enough to be promoted (so old space fills with garbage, as a busy service's does), and prints how
// many mark-compacts that took. V8's collections are deterministic enough for this: 21 to 24
// without the settings and 17 to 18 with them, here.
const CHURN = `
  const { applyHeapSettings } = await import(process.argv[1]);
  if (process.argv[2] === "apply") applyHeapSettings();
  const { PerformanceObserver, constants } = await import("node:perf_hooks");
  let majors = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
  }).observe({ entryTypes: ["gc"] });
  const live = Array.from({ length: 8 }, () => new Array(128 * 1024).fill(1.5));
  const ring = new Array(100_000);
  for (let i = 0; i < 4_000_000; i++) ring[i % ring.length] = { i, next: null, pad: [i, i] };
  setTimeout(() => console.log(JSON.stringify({ majors, kept: live.length + ring.length })), 100);
`;

function majorCollections(apply: boolean): number {
  const out = execFileSync(
    process.execPath,
    [
      "--max-old-space-size=64",
      "--max-semi-space-size=4",
      "--input-type=module",
      "-e",
      CHURN,
      pathToFileURL(SETTINGS).href,
      apply ? "apply" : "default",
    ],
    { encoding: "utf8" },
  );
  return (JSON.parse(out) as { majors: number }).majors;
}

describe("applyHeapSettings", () => {
  it("lets old space grow further between full collections than V8's default for a small heap", () => {
    const withDefaults = majorCollections(false);
    const withSettings = majorCollections(true);
    expect(withDefaults).toBeGreaterThan(10);
    expect(withSettings).toBeLessThan(withDefaults);
  });
});
