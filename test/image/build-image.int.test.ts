// The image, built for real from our Dockerfile (scripts/build-image.sh: buildah, no Docker
// engine) and run by containerd + runc the way a node runs it: imported from the
// docker-archive, started with the image's own entrypoint, user and read-only root filesystem.
import { createServer } from "node:net";
import { chownSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../chart/helm.js";
import { ensureImage, type BuiltImage } from "../cluster/image.js";
import { startContainerd, type ScratchContainerd } from "./containerd.js";

// A cold first build makes the base image (debootstrap) and runs npm ci twice: minutes.
const BUILD_TIMEOUT_MS = 30 * 60_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

describe("the image built from the Dockerfile", () => {
  let built: BuiltImage;
  let containerd: ScratchContainerd;
  let runs = 0;
  /**
   * `ctr run --rm --read-only IMAGE node <args>`: unlike Kubernetes' `args`, ctr's arguments
   * replace the image's entrypoint too, so `node` (the image's ENTRYPOINT) comes first.
   */
  const run = (args: string[]) => {
    const result = containerd.ctr([
      "run",
      "--rm",
      "--read-only",
      built.image,
      `t${++runs}`,
      "node",
      ...args,
    ]);
    return { status: result.status, stdout: result.stdout.trim(), stderr: result.stderr };
  };

  beforeAll(async () => {
    built = await ensureImage();
    containerd = await startContainerd();
    const imported = containerd.ctr(["images", "import", built.archive], 300_000);
    expect(imported.status, imported.stderr).toBe(0);
  }, BUILD_TIMEOUT_MS);

  afterAll(() => containerd?.stop());

  it("is imported under the chart's default reference (tag = the app's version)", () => {
    const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
      version: string;
    };
    expect(built.image).toBe(`docker.io/library/tenant-operator:${version}`);
    expect(containerd.ctr(["images", "ls", "-q"]).stdout.split("\n")).toContain(built.image);
  });

  it("is not rebuilt when nothing it is built from changed", async () => {
    const again = await ensureImage({ log: () => {} });
    expect(again).toEqual({ ...built, built: false });
  });

  it("runs Node.js 24 from the base image", () => {
    const result = run(["--version"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^v24\./);
  });

  it("runs as the non-root uid and gid 65532", () => {
    const result = run(["-e", "console.log(`${process.getuid()}:${process.getgid()}`)"]);
    expect(result.stdout).toBe("65532:65532");
  });

  it("allocates with jemalloc, loaded without a warning", () => {
    const result = run([
      "-e",
      "console.log(require('fs').readFileSync('/proc/self/maps', 'utf8').includes('libjemalloc.so.2'))",
    ]);
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("true");
  });

  it("carries the file-pages addon, built in the image, which drops the node binary's pages", () => {
    const result = run([
      "-e",
      `const fs = require("node:fs");
       const rssFile = () => Number(/RssFile:\\s+(\\d+)/.exec(fs.readFileSync("/proc/self/status", "utf8"))[1]);
       const before = rssFile();
       const addon = require("/app/dist/service/native/file-pages.node");
       console.log(JSON.stringify({ before, advised: addon.releaseFilePages(), after: rssFile() }));`,
    ]);
    expect(result.status, result.stderr).toBe(0);
    const { before, advised, after } = JSON.parse(result.stdout) as {
      before: number;
      advised: number;
      after: number;
    };
    // The binary alone maps ~100 MiB read-only; what start-up touched (~30 MiB) goes.
    expect(advised).toBeGreaterThan(50 * 2 ** 20);
    expect(after).toBeLessThan(before - 10 * 1024);
  });

  it("holds production dependencies only, and no TypeScript sources or tests", () => {
    const result = run([
      "-e",
      `const fs = require("node:fs");
       const files = fs.readdirSync("/app/dist", { recursive: true }).map(String);
       console.log(JSON.stringify({
         modules: fs.readdirSync("/app/node_modules"),
         sources: files.filter((f) => /(?<!\\.d)\\.ts$/.test(f) || /\\.test\\.js$/.test(f)),
         entries: ["service/main.js", "operator/main.js"].filter((f) => files.includes(f)),
       }));`,
    ]);
    expect(result.status, result.stderr).toBe(0);
    const found = JSON.parse(result.stdout) as {
      modules: string[];
      sources: string[];
      entries: string[];
    };
    expect(found.entries).toEqual(["service/main.js", "operator/main.js"]);
    expect(found.sources).toEqual([]);
    expect(found.modules).toContain("@grpc");
    for (const devOnly of ["typescript", "vitest", "eslint", "tsx"])
      expect(found.modules).not.toContain(devOnly);
  });

  it("starts the compute service by default, which answers and stops cleanly on SIGTERM", async () => {
    const [httpPort, grpcPort] = [await freePort(), await freePort()];
    // The service's data directory: a writable mount, as the operator's volume is.
    const data = mkdtempSync(path.join(tmpdir(), "image-data-"));
    chownSync(data, 65532, 65532);
    const id = `svc${++runs}`;
    const child = containerd.ctrSpawn([
      "run",
      "--rm",
      "--read-only",
      "--net-host",
      "--env",
      `HTTP_PORT=${httpPort}`,
      "--env",
      `GRPC_PORT=${grpcPort}`,
      "--env",
      "HOST=127.0.0.1",
      "--env",
      "DATA_DIR=/data",
      "--mount",
      `type=bind,src=${data},dst=/data,options=rbind:rw`,
      built.image,
      id,
    ]);
    let output = "";
    child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
    child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
    try {
      let answer: unknown;
      for (let i = 0; i < 240 && answer === undefined && child.exitCode === null; i++) {
        answer = await fetch(`http://127.0.0.1:${httpPort}/fibonacci/10/`)
          .then((r) => r.json())
          .catch(() => new Promise((r) => setTimeout(r, 250)).then(() => undefined));
      }
      expect(answer, output).toEqual({ response: "55" });
      expect((await fetch(`http://127.0.0.1:${httpPort}/healthz`)).status).toBe(200);
      expect(containerd.ctr(["tasks", "kill", "-s", "SIGTERM", id]).status).toBe(0);
      expect(await exited, output).toBe(0);
      expect(output).toContain('"msg":"service started"');
    } finally {
      if (child.exitCode === null) containerd.ctr(["tasks", "kill", "-s", "SIGKILL", id]);
      await exited;
      rmSync(data, { recursive: true, force: true });
    }
  }, 120_000);

  it("starts the operator with the argument the chart passes", () => {
    const result = run(["dist/operator/main.js", "--help"]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("--leader-elect");
  });
});
