// The operators the tests start must not outlive a test worker killed by a signal (no exit
// handler runs then): checked on real processes, a parent node process and its sleep child.
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { isAlive, signal } from "../cluster/processes.js";
import { diesWithParent } from "./operator-process.js";

/** Starts a node process that starts `command` and prints the child's pid; resolves both pids. */
async function parentWithChild(command: [string, string[]]): Promise<[number, number]> {
  const script =
    "const [c, a] = JSON.parse(process.argv[1]);" +
    "const child = require('node:child_process').spawn(c, a, { stdio: 'ignore' });" +
    "console.log(child.pid); setInterval(() => {}, 1000);";
  const parent = spawn(process.execPath, ["-e", script, JSON.stringify(command)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const childPid = await new Promise<number>((resolve, reject) => {
    parent.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    parent.once("exit", () => reject(new Error("the parent exited before starting its child")));
  });
  return [parent.pid!, childPid];
}

describe("diesWithParent", () => {
  it("a child started through it dies when its parent is killed with SIGKILL", async () => {
    const [parent, child] = await parentWithChild(diesWithParent("/bin/sleep", ["300"]));
    try {
      await expect.poll(() => isAlive(child)).toBe(true);
      signal(parent, "SIGKILL");
      await expect.poll(() => isAlive(child), { timeout: 5000 }).toBe(false);
    } finally {
      signal(child, "SIGKILL");
      signal(parent, "SIGKILL");
    }
  });

  it("a child started without it outlives its killed parent (what the test guards against)", async () => {
    const [parent, child] = await parentWithChild(["/bin/sleep", ["300"]]);
    try {
      signal(parent, "SIGKILL");
      await expect.poll(() => isAlive(parent), { timeout: 5000 }).toBe(false);
      expect(isAlive(child)).toBe(true);
    } finally {
      signal(child, "SIGKILL");
    }
  });
});
