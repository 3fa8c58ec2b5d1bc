// The file-pages addon on real mappings: a node process holds far fewer file pages after the
// call (wherever the binary lives), and goes on running what it drops (the pages come back at
// their next touch); a service started with the default configuration says it released them
// and still answers, and with RELEASE_FILE_PAGES=false leaves them be.
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { filePagesAddonPath } from "./file-pages.js";
import { type ServiceProcess, startServiceProcess } from "./testing/spawn.js";

const started: ServiceProcess[] = [];
const dataDir = mkdtempSync(join(tmpdir(), "service-file-pages-"));

afterAll(() => {
  for (const s of started) if (s.child.exitCode === null) s.child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

interface AddonRun {
  before: number;
  advised: number;
  after: number;
  digest: string;
  day: string;
}

/** Runs `node` (this one, or a copy), releases its file pages, and runs dropped code again. */
function runAddon(node: string): AddonRun {
  const script = `
    const fs = require("node:fs");
    const rssFile = () =>
      Number(/RssFile:\\s+(\\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))[1]);
    const before = rssFile();
    const advised = require(process.argv[1]).releaseFilePages();
    const after = rssFile();
    // Code, data and builtins it dropped, run again: they map back in.
    const digest = require("node:crypto").createHash("sha256").update("x").digest("hex");
    const day = new Intl.DateTimeFormat("en", { timeZone: "UTC" }).format(0);
    console.log(JSON.stringify({ before, advised, after, digest, day }));`;
  const out = execFileSync(node, ["-e", script, filePagesAddonPath()], { encoding: "utf8" });
  return JSON.parse(out) as AddonRun;
}

function expectReleased(run: AddonRun): void {
  // The binary maps ~100 MiB read-only; a bare node touches ~35 MiB of it to start.
  expect(run.advised).toBeGreaterThan(50 * 2 ** 20);
  expect(run.after).toBeLessThan(run.before / 2);
  expect(run.digest).toBe("2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
  expect(run.day).toBe("1/1/1970");
}

describe("the file-pages addon", () => {
  it("is built by npm run build and drops most of the node binary's resident pages", () => {
    expectReleased(runAddon(process.execPath));
  });

  it("finds the binary by its whole path, spaces included", () => {
    const spaced = join(dataDir, "a node with spaces", "node");
    mkdirSync(dirname(spaced));
    copyFileSync(process.execPath, spaced);
    chmodSync(spaced, 0o755);
    expectReleased(runAddon(spaced));
  });
});

describe("a service", () => {
  it("releases its file pages once serving, and answers after", async () => {
    const service = startServiceProcess({ DATA_DIR: dataDir, SERVICES: "calculator" });
    started.push(service);
    const serving = await service.waitForLog((l) => l.msg === "service started", 60_000);
    const released = await service.waitForLog((l) => l.msg === "released file pages", 10_000);
    expect(released).toMatchObject({ when: "start-up", level: 30 });
    expect(released.advisedMib).toBeGreaterThan(50);
    const port = serving.httpPort as number;
    const answer = await fetch(`http://127.0.0.1:${port}/fibonacci/10/`);
    expect(await answer.json()).toEqual({ response: "55" });
    service.child.kill("SIGTERM");
    expect(await service.exited(20_000)).toBe(0);
  });

  it("leaves them be with RELEASE_FILE_PAGES=false", async () => {
    const service = startServiceProcess({
      DATA_DIR: dataDir,
      SERVICES: "calculator",
      RELEASE_FILE_PAGES: "false",
    });
    started.push(service);
    await service.waitForLog((l) => l.msg === "service started", 60_000);
    service.child.kill("SIGTERM");
    expect(await service.exited(20_000)).toBe(0);
    expect(service.logs.map((l) => l.msg)).not.toContain("released file pages");
    expect(service.logs.map((l) => l.msg)).not.toContain("cannot release file pages");
  });
});
