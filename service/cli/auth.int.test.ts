/**
 * tenantctl against a service that requires bearer tokens: --token or TENANTCTL_TOKEN reach
 * both transports (gRPC metadata and the HTTP header); a refusal says what to do.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIENCE, ISSUER, type TestKey, jwks, makeKey, mint } from "../auth/testing/tokens.js";
import { type TestApp, startTestApp } from "../server/testing/harness.js";
import { runTenantctl, runTenantctlProcess } from "./testing/run-tenantctl.js";

let t: TestApp;
let dir: string;
let key: TestKey;
let token: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cli-auth-"));
  key = await makeKey("ES256", "cli-1");
  token = await mint(key);
  writeFileSync(join(dir, "jwks.json"), JSON.stringify(jwks(key)));
  t = await startTestApp({
    SERVICES: "calculator",
    AUTH_ISSUER: ISSUER,
    AUTH_AUDIENCE: AUDIENCE,
    AUTH_JWKS_FILE: join(dir, "jwks.json"),
  });
});

afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function tenantctl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const run = await runTenantctl(t, args);
  return { code: run.code, out: run.stdout, err: run.stderr };
}

describe("tenantctl --token", () => {
  it("sends the token over gRPC and HTTP", async () => {
    expect(await tenantctl("--token", token, "calc", "add", "2", "3")).toMatchObject({
      code: 0,
      out: "5\n",
    });
    expect(await tenantctl("--token", token, "seq", "fib", "10")).toMatchObject({
      code: 0,
      out: "55\n",
    });
  });

  it("without a token: exit 1, the refusal and a hint, for both transports", async () => {
    const grpcRun = await tenantctl("calc", "add", "2", "3");
    expect(grpcRun.code).toBe(1);
    expect(grpcRun.err).toContain(
      "calc.Calc/Add: UNAUTHENTICATED: unauthenticated: no bearer token",
    );
    expect(grpcRun.err).toContain("pass --token or set TENANTCTL_TOKEN");
    const httpRun = await tenantctl("seq", "fib", "10");
    expect(httpRun.code).toBe(1);
    expect(httpRun.err).toContain("HTTP 401");
    expect(httpRun.err).toContain("pass --token or set TENANTCTL_TOKEN");
  });

  it("refuses a token that could not be a bearer token before calling", async () => {
    const run = await tenantctl("--token", "two words", "calc", "add", "2", "3");
    expect(run).toMatchObject({ code: 1 });
    expect(run.err).toContain("is not a bearer token");
  });
});

describe("TENANTCTL_TOKEN", () => {
  const processRun = (env: Record<string, string>, ...args: string[]) =>
    runTenantctlProcess(t, args, env);

  it("is used when --token is not given, and never printed by --help", async () => {
    expect(await processRun({ TENANTCTL_TOKEN: token }, "calc", "add", "2", "3")).toMatchObject({
      code: 0,
      stdout: "5\n",
    });
    const help = await processRun({ TENANTCTL_TOKEN: token }, "--help");
    expect(help.stdout).toContain("--token <jwt>");
    expect(help.stdout).not.toContain(token);
  });
});
