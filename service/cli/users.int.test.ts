// tenantctl users ... and counter next, run in process against the real app
// (users + counter on a temp embedded-store directory).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, startTestApp } from "../server/testing/harness.js";
import { type Run, runTenantctl } from "./testing/run-tenantctl.js";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ SERVICES: "users,counter", SAMPLE_USERS: "true" });
});

afterAll(async () => {
  await t?.close();
});

/** Runs tenantctl in this process against the test server. */
const tenantctl = (...args: string[]): Promise<Run> => runTenantctl(t, args);

describe("tenantctl users and counter", () => {
  it("creates a user and prints it one line, then finds it by email and name", async () => {
    const created = await tenantctl(
      ...["users", "create", "Linus", "Quill", "Linus.Quill@Example.com", "44"],
      ...["--address", "7 Harbour Road, Springfield"],
    );
    const line =
      "Linus Quill <linus.quill@example.com> (44 years old, address: 7 Harbour Road, Springfield)\n";
    expect(created).toMatchObject({ code: 0, stdout: line });
    expect(await tenantctl("users", "get", "linus.quill@example.com")).toMatchObject({
      code: 0,
      stdout: line,
    });
    expect(await tenantctl("users", "search-name", "QUIL")).toMatchObject({
      code: 0,
      stdout: line,
    });
  });

  it("lists users one a line in email order, and searches an age range by age", async () => {
    const list = await tenantctl("users", "list");
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(30);
    for (const l of lines) expect(l).toMatch(/^\S+ \S+ <[^>]+> \(\d+ years old, address: .*\)$/);
    const emails = lines.map((l) => /<([^>]+)>/.exec(l)![1]!);
    expect(emails).toEqual([...emails].sort());

    const ages = await tenantctl("users", "search-age", "21", "23");
    const found = ages.stdout
      .trim()
      .split("\n")
      .map((l) => Number(/\((\d+) years/.exec(l)![1]));
    expect(found.length).toBeGreaterThan(0);
    expect(found).toEqual([...found].sort((a, b) => a - b));
    expect(found.every((a) => a >= 21 && a <= 23)).toBe(true);
  });

  it("reports FAILED and INVALID_QUERY as errors with exit code 1", async () => {
    await tenantctl("users", "create", "A", "B", "dupe@example.com", "30");
    const duplicate = await tenantctl("users", "create", "C", "D", "dupe@example.com", "31");
    expect(duplicate).toMatchObject({
      code: 1,
      stderr: "error: FAILED: a user with email dupe@example.com already exists\n",
    });
    const badAge = await tenantctl("users", "create", "C", "D", "e@example.com", "151");
    expect(badAge.code).toBe(1);
    expect(badAge.stderr).toMatch(
      /^error: INVALID_QUERY: age must be a whole number from 0 to 150/,
    );
    const missing = await tenantctl("users", "get", "nobody@example.com");
    expect(missing).toMatchObject({
      code: 1,
      stderr: "error: FAILED: no user with email nobody@example.com\n",
    });
  });

  it("prints increasing counter values from gRPC and HTTP", async () => {
    const first = await tenantctl("counter", "next");
    const second = await tenantctl("counter", "next", "--via", "http");
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(BigInt(second.stdout.trim())).toBeGreaterThan(BigInt(first.stdout.trim()));
  });
});
