import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DataDirLockedError } from "./lock.js";
import { openStore } from "./store.js";

const holder = join(import.meta.dirname, "testing", "hold-store.ts");
const children: ChildProcess[] = [];
const dirs: string[] = [];

/** Starts a process that opens the store on `dataDir`; resolves with its first line. */
function openInChild(dataDir: string): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", holder], {
    env: { ...process.env, DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`no answer from child: ${out}`)), 60_000);
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("\n")) {
        clearTimeout(timer);
        resolve({ child, line: out.trim() });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      if (!out.includes("\n")) reject(new Error(`child exited ${code}: ${out}`));
    });
  });
}

const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((r) => child.once("exit", r));

afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("embedded store data directory lock", () => {
  const fresh = (): string => {
    const dir = mkdtempSync(join(tmpdir(), "lock-test-"));
    dirs.push(dir);
    return dir;
  };

  it("makes a second process on the same DATA_DIR fail fast with a clear message", async () => {
    const dataDir = fresh();
    const first = await openInChild(dataDir);
    expect(first.line).toBe("ready");
    const second = await openInChild(dataDir);
    expect(second.line).toMatch(
      /data directory .* is in use by process \d+ .*one process per data directory/,
    );
    expect(await exited(second.child)).toBe(3);
    await expect(openStore({ tenant: "acme", dataDir })).rejects.toThrow(DataDirLockedError);
    first.child.kill("SIGKILL");
  });

  it("lets a restart take over the lock of a process killed with -9", async () => {
    const dataDir = fresh();
    const first = await openInChild(dataDir);
    expect(first.line).toBe("ready");
    first.child.kill("SIGKILL");
    await exited(first.child);
    const store = await openStore({ tenant: "acme", dataDir });
    try {
      expect(
        await store.users.insert({
          id: "1",
          email: "a@example.com",
          firstName: "A",
          lastName: "B",
          age: 1,
          phone: "",
          address: "",
        }),
      ).toBe("created");
    } finally {
      await store.close();
    }
    const again = await openInChild(dataDir); // close() released the lock
    expect(again.line).toBe("ready");
    again.child.kill("SIGKILL");
  });

  it("with waitMs, waits for a live owner to release the lock, then takes it", async () => {
    const dataDir = fresh();
    const first = await openInChild(dataDir);
    expect(first.line).toBe("ready");
    const waits: string[] = [];
    const opening = openStore({
      tenant: "acme",
      dataDir,
      lock: {
        waitMs: 30_000,
        pollMs: 50,
        onWait: (reason) => waits.push(reason),
        onTakeover: (reason) => waits.push(`takeover: ${reason}`),
      },
    });
    await expect.poll(() => waits.length).toBe(1);
    expect(waits[0]).toMatch(/is held by process \d+ .*waiting up to 30 s/);
    first.child.kill("SIGTERM"); // a graceful stop releases the lock (a pod being replaced)
    const store = await opening;
    try {
      expect(await exited(first.child)).toBe(0);
      expect(waits).toHaveLength(1); // it was the release, not a takeover, that let us in
      expect(await store.counters.reserve("c", 1n)).toBe(1n);
    } finally {
      await store.close();
    }
  });

  it("with waitMs, still fails clearly when the owner keeps the lock past the wait", async () => {
    const dataDir = fresh();
    const first = await openInChild(dataDir);
    expect(first.line).toBe("ready");
    await expect(
      openStore({ tenant: "acme", dataDir, lock: { waitMs: 300, pollMs: 50 } }),
    ).rejects.toThrow(/is in use by process \d+/);
    first.child.kill("SIGKILL");
  });

  it("refuses to open one directory twice in the same process", async () => {
    const dataDir = fresh();
    const store = await openStore({ tenant: "acme", dataDir });
    try {
      await expect(openStore({ tenant: "acme", dataDir })).rejects.toThrow(
        /already open in this process/,
      );
    } finally {
      await store.close();
    }
  });
});
