import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { type ObservedLock, staleReason } from "./lock.js";

const observed = (pid: number, host: string, ageMs: number): ObservedLock => ({
  raw: "",
  content: { pid, host, token: "t", since: "" },
  ageMs,
});

describe("staleReason", () => {
  const deadPid = 2 ** 22 + 12345; // above Linux's pid_max: never alive

  it("keeps a lock whose owner on this host is alive and beating", () => {
    expect(staleReason(observed(process.ppid, hostname(), 1_000), 30_000)).toBeUndefined();
  });

  it("takes over a lock whose owner on this host is gone (kill -9)", () => {
    expect(staleReason(observed(deadPid, hostname(), 1_000), 30_000)).toMatch(/is gone/);
  });

  it("takes over a lock naming our own pid (a restarted container is pid 1 again)", () => {
    expect(staleReason(observed(process.pid, hostname(), 1_000), 30_000)).toMatch(/own pid/);
  });

  it("keeps a fresh lock of another host, and takes it over once its heartbeat is old", () => {
    expect(staleReason(observed(deadPid, "other-host", 1_000), 30_000)).toBeUndefined();
    expect(staleReason(observed(deadPid, "other-host", 31_000), 30_000)).toMatch(/31 s old/);
  });

  it("judges unreadable lock content by its age alone", () => {
    const garbage: ObservedLock = { raw: "??", content: undefined, ageMs: 1_000 };
    expect(staleReason(garbage, 30_000)).toBeUndefined();
    expect(staleReason({ ...garbage, ageMs: 60_000 }, 30_000)).toBeDefined();
  });
});
