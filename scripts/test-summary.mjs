// Adds up vitest's JSON reports of every suite into one closing line
// ("tests: N passed, N failed, N skipped") and fails when nothing ran. Failed tests are
// listed just above that line, with the start of their message: CI logs are often read
// from the end, and a suite's own report of a failure may be far above it.
import { readFileSync } from "node:fs";
import { basename, relative } from "node:path";

/**
 * The first lines of a failure message, indented under the test's name. The run's first
 * failure gets more: later failures of a file usually follow from it, and its message (an
 * operator's log, a status) is what explains them.
 */
const FIRST_FAILURE_LINES = 60;
const OTHER_FAILURE_LINES = 6;
const start = (text) =>
  text
    .split("\n")
    .slice(0, failures.length === 0 ? FIRST_FAILURE_LINES : OTHER_FAILURE_LINES)
    .join("\n    ");

const failures = [];
let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(file, "utf8"));
  passed += report.numPassedTests;
  failed += report.numFailedTests;
  skipped += report.numPendingTests + (report.numTodoTests ?? 0);
  const suite = basename(file, ".json");
  for (const result of report.testResults ?? []) {
    const where = `[${suite}] ${relative(process.cwd(), result.name)}`;
    const failedTests = (result.assertionResults ?? []).filter((t) => t.status === "failed");
    for (const test of failedTests) {
      failures.push(
        `${where} > ${test.fullName}\n    ${start((test.failureMessages ?? []).join("\n"))}`,
      );
    }
    // A file that failed before any of its tests ran (an import error, a failing beforeAll).
    if (result.status === "failed" && failedTests.length === 0) {
      failures.push(`${where}\n    ${start(result.message ?? "")}`);
    }
  }
}
if (failures.length > 0) console.log(`failed:\n${failures.map((f) => `  ${f}`).join("\n")}`);
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || passed === 0 || failures.length > 0 ? 1 : 0);
