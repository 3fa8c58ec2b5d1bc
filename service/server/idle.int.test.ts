import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, describe, expect, it } from "vitest";
import { type ServiceProcess, startServiceProcess } from "./testing/spawn.js";

/** Times the process's main thread went to sleep of its own accord (blocked in epoll, mostly). */
function voluntarySwitches(pid: number): number {
  const status = readFileSync(`/proc/${pid}/task/${pid}/status`, "utf8");
  return Number(/voluntary_ctxt_switches:\s+(\d+)/.exec(status)![1]);
}

let service: ServiceProcess | undefined;
const dataDir = mkdtempSync(join(tmpdir(), "service-idle-"));

afterAll(() => {
  if (service?.child.exitCode === null) service.child.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

describe("an idle tenant", () => {
  // Every wake-up of an idle process is CPU a cluster of 100+ tenants pays for nothing. The
  // timers an idle service keeps (event-loop lag sampling every 100 ms, branding and lock
  // checks every few seconds) wake it about 10 times a second; with prom-client's default lag
  // sampling (every 10 ms) it woke about 100 times.
  it("wakes its main thread fewer than 50 times a second", async () => {
    service = startServiceProcess({ DATA_DIR: dataDir });
    await service.waitForLog((line) => line.msg === "service started", 60_000);
    const pid = service.child.pid!;
    await sleep(1_000); // start-up's last turns
    const before = voluntarySwitches(pid);
    const started = performance.now();
    await sleep(3_000);
    const perSecond = (voluntarySwitches(pid) - before) / ((performance.now() - started) / 1e3);
    expect(perSecond).toBeLessThan(50);
  });
});
