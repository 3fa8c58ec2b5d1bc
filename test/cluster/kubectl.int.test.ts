// kubectlAt runs again a `kubectl wait` that failed only because its object had no conditions
// yet (kubectl's error on a CRD applied a moment before), and nothing else. Checked with a
// stand-in kubectl script (a real process) that fails that way a set number of times.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { kubectlAt } from "./kubectl.js";

const dir = mkdtempSync(join(tmpdir(), "kubectl-wait-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A kubectl that fails `failures` times with `message`, then succeeds; counts its runs. */
function standIn(failures: number, message: string): { binDir: string; runs: () => number } {
  const binDir = mkdtempSync(join(dir, "bin-"));
  const count = join(binDir, "count");
  writeFileSync(count, "0");
  writeFileSync(
    join(binDir, "kubectl"),
    `#!/bin/sh
n=$(($(cat ${count}) + 1)); echo $n > ${count}
if [ $n -le ${failures} ]; then echo '${message}' >&2; exit 1; fi
echo "condition met"
`,
  );
  chmodSync(join(binDir, "kubectl"), 0o755);
  return { binDir, runs: () => Number(readFileSync(count, "utf8")) };
}

const NO_CONDITIONS =
  "error: .status.conditions accessor error: <nil> is of the type <nil>, expected []interface{}";

describe("kubectlAt", () => {
  it("runs a wait again while its object has no conditions yet", async () => {
    const k = standIn(2, NO_CONDITIONS);
    const run = await kubectlAt(k.binDir, "/dev/null", [
      "wait",
      "--for=condition=Established",
      "crd/x",
    ]);
    expect(run).toMatchObject({ code: 0, stdout: "condition met\n" });
    expect(k.runs()).toBe(3);
  });

  it("returns any other failure of a wait, and a failure of another command, at once", async () => {
    const other = standIn(5, "error: timed out waiting for the condition");
    const wait = await kubectlAt(other.binDir, "/dev/null", [
      "wait",
      "--for=condition=Ready",
      "pod/x",
    ]);
    expect(wait.code).toBe(1);
    expect(other.runs()).toBe(1);
    const get = standIn(5, NO_CONDITIONS);
    expect((await kubectlAt(get.binDir, "/dev/null", ["get", "crd/x"])).code).toBe(1);
    expect(get.runs()).toBe(1);
  });

  it("returns the exit code of a kubectl that exits without reading its input", async () => {
    const k = standIn(5, "error: unknown flag");
    // More than a pipe holds: the rest of the write meets a closed pipe (EPIPE).
    const run = await kubectlAt(k.binDir, "/dev/null", ["apply", "-f", "-"], "x".repeat(4 << 20));
    expect(run).toMatchObject({ code: 1, stderr: "error: unknown flag\n" });
  });

  it("gives up when its time is up", async () => {
    const k = standIn(1000, NO_CONDITIONS);
    const run = await kubectlAt(k.binDir, "/dev/null", ["wait", "crd/x"], undefined, 1_500);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("accessor error");
    expect(k.runs()).toBeGreaterThan(1);
    expect(k.runs()).toBeLessThan(20);
  });
});
