// The test line's closing summary (scripts/test-summary.mjs): the totals, the names of failed
// tests above them (CI logs are read from the end), and the exit code CI goes by.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..", "..");
const dir = mkdtempSync(path.join(tmpdir(), "test-summary-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Report = Record<string, unknown>;
function summarize(reports: Record<string, Report>): { out: string; code: number | null } {
  const files = Object.entries(reports).map(([name, report]) => {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify(report));
    return file;
  });
  const run = spawnSync(process.execPath, ["scripts/test-summary.mjs", ...files], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return { out: run.stdout, code: run.status };
}

const passing: Report = {
  numPassedTests: 3,
  numFailedTests: 0,
  numPendingTests: 1,
  testResults: [{ name: path.join(ROOT, "a.test.ts"), status: "passed", assertionResults: [] }],
};

describe("the test summary", () => {
  it("adds up every suite and exits 0 when all passed", () => {
    expect(summarize({ unit: passing, integration: passing })).toEqual({
      out: "tests: 6 passed, 0 failed, 2 skipped\n",
      code: 0,
    });
  });

  it("names each failed test, its suite and the start of its message above the totals, and exits 1", () => {
    const failing: Report = {
      numPassedTests: 1,
      numFailedTests: 1,
      numPendingTests: 0,
      testResults: [
        {
          name: path.join(ROOT, "service/x.int.test.ts"),
          status: "failed",
          assertionResults: [
            { status: "passed", fullName: "x works" },
            {
              status: "failed",
              fullName: "x answers in time",
              failureMessages: ["AssertionError: expected 7 to be 8\n    at x.int.test.ts:3"],
            },
          ],
        },
      ],
    };
    const { out, code } = summarize({ unit: passing, integration: failing });
    expect(code).toBe(1);
    expect(out.split("\n")).toEqual([
      "failed:",
      "  [integration] service/x.int.test.ts > x answers in time",
      "    AssertionError: expected 7 to be 8",
      "        at x.int.test.ts:3",
      "tests: 4 passed, 1 failed, 1 skipped",
      "",
    ]);
  });

  it("shows the first failure's message at length and the others' first lines", () => {
    const long = Array.from({ length: 80 }, (_, i) => `line ${i}`).join("\n");
    const failing: Report = {
      numPassedTests: 0,
      numFailedTests: 2,
      numPendingTests: 0,
      testResults: [
        {
          name: path.join(ROOT, "test/z.cluster.test.ts"),
          status: "failed",
          assertionResults: [
            { status: "failed", fullName: "z first", failureMessages: [long] },
            { status: "failed", fullName: "z second", failureMessages: [long] },
          ],
        },
      ],
    };
    const { out } = summarize({ cluster: failing });
    const [first, second] = out.split("  [cluster] test/z.cluster.test.ts > ").slice(1);
    expect(first).toContain("line 59\n");
    expect(first).not.toContain("line 60\n");
    expect(second).toContain("line 5\n");
    expect(second).not.toContain("line 6\n");
  });

  it("fails on a file that broke before its tests ran, though no test counts as failed", () => {
    const broken: Report = {
      numPassedTests: 2,
      numFailedTests: 0,
      numPendingTests: 3,
      testResults: [
        {
          name: path.join(ROOT, "test/y.cluster.test.ts"),
          status: "failed",
          message: "Hook timed out in 180000ms",
          assertionResults: [{ status: "skipped", fullName: "y" }],
        },
      ],
    };
    const { out, code } = summarize({ cluster: broken });
    expect(code).toBe(1);
    expect(out).toContain("  [cluster] test/y.cluster.test.ts\n    Hook timed out in 180000ms\n");
  });

  it("fails when nothing ran", () => {
    expect(
      summarize({ unit: { numPassedTests: 0, numFailedTests: 0, numPendingTests: 0 } }).code,
    ).toBe(1);
  });
});
