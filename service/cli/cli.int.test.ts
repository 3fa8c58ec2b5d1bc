import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, startTestApp } from "../server/testing/harness.js";
import { type Run, runTenantctl, runTenantctlProcess } from "./testing/run-tenantctl.js";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ SERVICES: "calculator" });
});

afterAll(async () => {
  await t.close();
});

/** Runs tenantctl in this process against the test server. */
const tenantctl = (...args: string[]): Promise<Run> => runTenantctl(t, args);

/** Runs the real tenantctl process (from source). */
const tenantctlProcess = (...args: string[]): Promise<Run> => runTenantctlProcess(t, args);

describe("tenantctl", () => {
  it.each([
    [["calc", "add", "2", "3"], "5\n"],
    [["calc", "add", "-9223372036854775808", "0"], "-9223372036854775808\n"],
    [["calc", "max", "-5", "-7"], "-5\n"],
    [["calc", "primes", "1", "12", "10001"], "prime #1: 2\nprime #12: 37\nprime #10001: 104743\n"],
    [["math", "sum", "1", "10"], "11\n"],
    [["math", "factorial", "20"], "20! = 2432902008176640000\n"],
    [["seq", "fib", "90"], "2880067194370816120\n"],
    [["seq", "ack", "3", "4"], "125\n"],
    [["seq", "fact", "25"], "15511210043330985984000000\n"],
  ])("%j prints %j", async (args, out) => {
    const run = await tenantctl(...args);
    expect(run).toMatchObject({ code: 0, stdout: out });
  });

  it("reports a server-side error clearly with exit code 1", async () => {
    const overflow = await tenantctl("calc", "add", "9223372036854775807", "1");
    expect(overflow.code).toBe(1);
    expect(overflow.stderr.trim()).toBe(
      "error: calc.Calc/Add: OUT_OF_RANGE: 9223372036854775807 + 1 overflows int64",
    );
    const factorial = await tenantctl("math", "factorial", "21");
    expect(factorial.stderr).toContain("OUT_OF_RANGE");
    const fib = await tenantctl("seq", "fib", "401");
    expect(fib).toMatchObject({
      code: 1,
      stderr: "error: /fibonacci/401/: HTTP 400: invalid number: 401\n",
    });
  });

  it("rejects a non-integer argument before calling", async () => {
    const run = await tenantctl("calc", "add", "two", "3");
    expect(run).toMatchObject({ code: 1, stderr: "error: a: not an integer: two\n" });
  });

  it("exits 2 with usage help on a usage error", async () => {
    const run = await tenantctl("calc", "add", "1");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing required argument 'b'");
  });

  it("runs as a process: answer on stdout and exit 0, error on stderr and exit 1", async () => {
    expect(await tenantctlProcess("calc", "add", "2", "3")).toMatchObject({
      code: 0,
      stdout: "5\n",
    });
    const failed = await tenantctlProcess("calc", "primes", "0");
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      "error: calc.Calc/NthPrimes: INVALID_ARGUMENT: n must be 1..10001, got 0\n",
    );
  });

  it("says which address it could not reach", async () => {
    const run = await tenantctl(
      "--addr",
      "127.0.0.1:1",
      "--timeout",
      "3000",
      "calc",
      "add",
      "1",
      "2",
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("cannot reach the gRPC server at 127.0.0.1:1");
  });
});
