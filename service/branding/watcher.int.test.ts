import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { type Branding, DEFAULT_PRIMARY_COLOR } from "./branding.js";
import { writeConfigMapDir } from "./testing/configmap-dir.js";
import { type BrandingSource, watchBranding } from "./watcher.js";

const logger = pino({ level: "silent" });
const cleanup: (() => void)[] = [];

afterEach(() => {
  for (const f of cleanup.splice(0)) f();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "branding-"));
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, "branding");
}

async function watch(dir: string, pollMs: number): Promise<BrandingSource> {
  const source = await watchBranding({ dir, pollMs, tenant: "acme", logger });
  cleanup.push(() => source.close());
  return source;
}

/** Waits (bounded: 200 x 50 ms) until the branding satisfies `done`. */
async function eventually(
  source: BrandingSource,
  done: (b: Branding) => boolean,
): Promise<Branding> {
  for (let i = 0; i < 200; i++) {
    if (done(source.current())) return source.current();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`branding never matched; last: ${JSON.stringify(source.current())}`);
}

describe("branding watcher", () => {
  it("reads a ConfigMap volume layout (symlinks through ..data)", async () => {
    const dir = tempDir();
    writeConfigMapDir(dir, {
      displayName: "Acme Corp\n",
      primaryColor: "#FF8800",
      logoURL: "https://cdn.example.com/acme.png",
      welcomeMessage: "Hello!",
    });
    const source = await watch(dir, 60_000);
    expect(source.current()).toEqual({
      displayName: "Acme Corp",
      primaryColor: "#ff8800",
      logoURL: "https://cdn.example.com/acme.png",
      welcomeMessage: "Hello!",
    });
  });

  it("picks up an atomic ..data swap through fs.watch, without waiting for the poll", async () => {
    const dir = tempDir();
    writeConfigMapDir(dir, { displayName: "Before" });
    const source = await watch(dir, 600_000);
    expect(source.current().displayName).toBe("Before");
    writeConfigMapDir(dir, { displayName: "After", primaryColor: "#123456" });
    const b = await eventually(source, (x) => x.displayName === "After");
    expect(b.primaryColor).toBe("#123456");
  });

  it("falls back to polling: a directory that appears later is read", async () => {
    const dir = tempDir();
    const source = await watch(dir, 100);
    expect(source.current().displayName).toBe("acme");
    writeConfigMapDir(dir, { displayName: "Late" });
    await eventually(source, (x) => x.displayName === "Late");
  });

  it("replaces invalid values by defaults and keeps the valid ones", async () => {
    const dir = tempDir();
    writeConfigMapDir(dir, {
      displayName: "Good Name",
      primaryColor: "red; background: url(x)",
      logoURL: "http://insecure.example.com/logo.png",
    });
    const source = await watch(dir, 60_000);
    expect(source.current()).toMatchObject({
      displayName: "Good Name",
      primaryColor: DEFAULT_PRIMARY_COLOR,
      logoURL: undefined,
    });
  });
});
