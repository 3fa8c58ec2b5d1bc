// The schedule of file-page releases (file-pages.ts), with a stand-in addon that counts calls:
// the addon itself, on real mappings, is file-pages.int.test.ts's.
import { afterEach, describe, expect, it, vi } from "vitest";
import { capturedLogger } from "./testing/captured-logger.js";
import { type FilePagesAddon, scheduleFilePageRelease } from "./file-pages.js";

const captured = () => {
  const { logger, logs } = capturedLogger({ logFormat: "json", logLevel: "info", tenant: "t" });
  return { logger, lines: () => logs };
};

const counting = (answer: number): FilePagesAddon & { calls: number } => {
  const addon = {
    calls: 0,
    releaseFilePages: () => {
      addon.calls++;
      return answer;
    },
  };
  return addon;
};

afterEach(() => {
  vi.useRealTimers();
});

describe("scheduleFilePageRelease", () => {
  it("releases at once and once more after the first minute, and logs both", () => {
    vi.useFakeTimers();
    const { logger, lines } = captured();
    const addon = counting(100 * 2 ** 20);
    scheduleFilePageRelease(logger, () => addon, 60_000);
    expect(addon.calls).toBe(1);
    vi.advanceTimersByTime(59_999);
    expect(addon.calls).toBe(1);
    vi.advanceTimersByTime(1);
    expect(addon.calls).toBe(2);
    vi.advanceTimersByTime(600_000);
    expect(addon.calls).toBe(2);
    expect(lines().map((l) => [l.msg, l.when, l.advisedMib])).toEqual([
      ["released file pages", "start-up", 100],
      ["released file pages", "first minute", 100],
    ]);
  });

  it("skips the second release when cancelled (shutdown)", () => {
    vi.useFakeTimers();
    const addon = counting(1);
    const cancel = scheduleFilePageRelease(captured().logger, () => addon, 60_000);
    cancel();
    vi.advanceTimersByTime(120_000);
    expect(addon.calls).toBe(1);
  });

  it("warns once and stops when the kernel refuses", () => {
    vi.useFakeTimers();
    const { logger, lines } = captured();
    const addon = counting(-22); // EINVAL: madvise refused the range
    scheduleFilePageRelease(logger, () => addon, 60_000);
    vi.advanceTimersByTime(120_000);
    expect(addon.calls).toBe(1);
    expect(lines()).toMatchObject([{ level: 40, errno: 22 }]);
  });

  it("warns and goes on when the addon cannot be loaded", () => {
    const { logger, lines } = captured();
    const cancel = scheduleFilePageRelease(logger, () => {
      throw new Error("the file-pages addon is not built");
    });
    expect(cancel).toBeTypeOf("function");
    expect(lines()).toMatchObject([{ level: 40, msg: "cannot release file pages" }]);
  });
});
