/**
 * Bearer-JWT authentication end to end: the real app with AUTH_* set, real grpc-js clients built
 * from the .proto files, real HTTP, keys and tokens minted here (RS256 and ES256), a JWKS file
 * and a JWKS served over local HTTP.
 */
import * as grpc from "@grpc/grpc-js";
import { get as httpGet } from "node:http";
import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, client, startTestApp, unary } from "../server/testing/harness.js";
import { startServiceProcess } from "../server/testing/spawn.js";
import {
  AUDIENCE,
  ISSUER,
  type JwksServer,
  type TestKey,
  jwks,
  makeKey,
  mint,
  mintHs256WithPublicKey,
  mintUnsigned,
  serveJwks,
} from "./testing/tokens.js";

type Callback = (error: grpc.ServiceError | null, response: unknown) => void;
type UnaryWithMetadata = (
  request: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: Callback,
) => void;

/** calc.Calc/Add 2 + 3 with the given Authorization values; the sum or the status code. */
function add(address: string, ...authorization: string[]): Promise<string | number> {
  const c = client("calc.Calc", address);
  const metadata = new grpc.Metadata();
  for (const value of authorization) metadata.add("authorization", value);
  const fn = (c as unknown as { Add: UnaryWithMetadata }).Add;
  return new Promise((resolve) => {
    fn.call(c, { a: "2", b: "3" }, metadata, { deadline: Date.now() + 10_000 }, (error, res) => {
      c.close();
      resolve(error ? error.code : (res as { sum: string }).sum);
    });
  });
}

function get(base: string, path: string, authorization?: string): Promise<Response> {
  return fetch(`${base}${path}`, authorization ? { headers: { authorization } } : {});
}

/** GET /fibonacci/3 with one Authorization header line per value (fetch would join them). */
function getWithHeaders(
  port: number,
  authorization: string[],
): Promise<{ status: number; challenge: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(
      {
        port,
        host: "127.0.0.1",
        path: "/fibonacci/3",
        headers: ["host", "localhost", ...authorization.flatMap((v) => ["authorization", v])],
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            challenge: String(res.headers["www-authenticate"] ?? ""),
          }),
        );
      },
    );
    req.on("error", reject);
  });
}

const bearer = (token: string): string => `Bearer ${token}`;

let dir: string;
let rsa: TestKey;
let ec: TestKey;
let stranger: TestKey;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "auth-test-"));
  [rsa, ec, stranger] = await Promise.all([
    makeKey("RS256", "rsa-1"),
    makeKey("ES256", "ec-1"),
    makeKey("RS256", "rsa-1"), // same kid as a trusted key, different key pair
  ]);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes the key set atomically (as a Secret volume's symlink swap does). */
function writeJwksFile(file: string, ...keys: TestKey[]): void {
  writeFileSync(`${file}.tmp`, JSON.stringify(jwks(...keys)));
  renameSync(`${file}.tmp`, file);
}

describe("with AUTH_ISSUER, AUTH_AUDIENCE and AUTH_JWKS_FILE", () => {
  let t: TestApp;
  let file: string;

  beforeAll(async () => {
    file = join(dir, "jwks.json");
    writeJwksFile(file, rsa, ec);
    t = await startTestApp({
      SERVICES: "calculator",
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: `other-api, ${AUDIENCE}`,
      AUTH_JWKS_FILE: file,
      AUTH_JWKS_MIN_REFRESH_MS: "0",
      AUTH_JWKS_FILE_POLL_MS: "50",
    });
  });

  afterAll(async () => {
    await t.close();
  });

  it("refuses calc.Calc/Add without a token: UNAUTHENTICATED (16)", async () => {
    expect(await add(t.grpcAddress)).toBe(grpc.status.UNAUTHENTICATED);
    expect(grpc.status.UNAUTHENTICATED).toBe(16);
  });

  it("answers 5 with a valid RS256 or ES256 token", async () => {
    expect(await add(t.grpcAddress, bearer(await mint(rsa)))).toBe("5");
    expect(await add(t.grpcAddress, bearer(await mint(ec)))).toBe("5");
    // The scheme is case-insensitive (RFC 7235); the same token again comes from the cache.
    const token = await mint(ec, { subject: "again" });
    expect(await add(t.grpcAddress, `bearer ${token}`)).toBe("5");
    expect(await add(t.grpcAddress, bearer(token))).toBe("5");
  });

  it.each<[string, () => Promise<string> | string, string]>([
    ["an expired token", () => mint(rsa, { expiresIn: -120 }), "token expired"],
    ["a wrong audience", () => mint(rsa, { audience: "someone-else" }), "audience not accepted"],
    ["a wrong issuer", () => mint(ec, { issuer: "https://evil.test/" }), "issuer not accepted"],
    ["an unknown key id", () => mint(rsa, { kid: "rsa-404" }), "unknown signing key"],
    ["a known kid signed by another key", () => mint(stranger), "bad signature"],
    ["alg none", () => mintUnsigned(), "algorithm not allowed"],
    ["HS256 keyed with the public key", () => mintHs256WithPublicKey(rsa), "algorithm not allowed"],
    ["a token not valid yet", () => mint(rsa, { notBefore: 3600 }), "token not yet valid"],
    ["a token without exp", () => mint(rsa, { expiresIn: null }), "token has no expiry"],
    [
      "a token whose header has no alg",
      () => "eyJub3QiOiJqc29uIn0.bm90LWpzb24.c2lnbmF0dXJlLW5vdC1yZWFs",
      "malformed token",
    ],
  ])("refuses %s with UNAUTHENTICATED and logs why, never the token", async (_, make, reason) => {
    const token = await make();
    const logged = t.logs.length;
    expect(await add(t.grpcAddress, bearer(token))).toBe(grpc.status.UNAUTHENTICATED);
    const lines = t.logs.slice(logged);
    expect(lines).toContainEqual(expect.objectContaining({ reason, method: "/calc.Calc/Add" }));
    expect(JSON.stringify(t.logs)).not.toContain(token.split(".")[2] || token);
  });

  it("accepts a token within the clock tolerance, refuses one past it", async () => {
    expect(await add(t.grpcAddress, bearer(await mint(rsa, { expiresIn: -5 })))).toBe("5");
    expect(await add(t.grpcAddress, bearer(await mint(rsa, { expiresIn: -31 })))).toBe(
      grpc.status.UNAUTHENTICATED,
    );
  });

  it.each([
    ["Bearer", "no token after the scheme"],
    ["Bearer a b", "two words"],
    ["Bearer tok%en", "a non-token68 character"],
    ["Basic dXNlcjpwYXNz", "another scheme"],
  ])("refuses the malformed header %j (%s)", async (header) => {
    expect(await add(t.grpcAddress, header)).toBe(grpc.status.UNAUTHENTICATED);
  });

  it("refuses two Authorization headers even if one is valid (HTTP; HTTP/2 forbids two)", async () => {
    const good = bearer(await mint(rsa));
    expect((await getWithHeaders(t.app.httpPort, [good])).status).toBe(200);
    const twice = await getWithHeaders(t.app.httpPort, [good, "Bearer x"]);
    expect(twice.status).toBe(401);
    expect(twice.challenge).toContain('error="invalid_request"');
  });

  it("picks up a rotated key set from the file (new kid accepted, removed key refused)", async () => {
    const next = await makeKey("ES256", "ec-2");
    const old = await mint(rsa);
    expect(await add(t.grpcAddress, bearer(old))).toBe("5");
    writeJwksFile(file, next, ec);
    expect(await add(t.grpcAddress, bearer(await mint(next)))).toBe("5");
    // The RS256 key left the set: its tokens stop working (the verdict cache was dropped).
    await expect.poll(() => add(t.grpcAddress, bearer(old)), { timeout: 10_000 }).toBe(16);
    writeJwksFile(file, rsa, ec);
    await expect.poll(() => add(t.grpcAddress, bearer(old)), { timeout: 10_000 }).toBe("5");
  });

  it("GET /fibonacci/10/ is 401 with a Bearer challenge without a token, 200 with one", async () => {
    const refused = await get(t.httpBase, "/fibonacci/10/");
    expect(refused.status).toBe(401);
    expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="default"');
    expect(await refused.json()).toEqual({ error: "unauthenticated: no bearer token" });

    const ok = await get(t.httpBase, "/fibonacci/10/", bearer(await mint(rsa)));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ response: "55" });

    const bad = await get(
      t.httpBase,
      "/fibonacci/10/",
      bearer(await mint(rsa, { expiresIn: -600 })),
    );
    expect(bad.status).toBe(401);
    expect(bad.headers.get("www-authenticate")).toBe(
      'Bearer realm="default", error="invalid_token", error_description="token expired"',
    );
    const malformed = await get(t.httpBase, "/fibonacci/10/", "Bearer a b");
    expect(malformed.status).toBe(401);
    expect(malformed.headers.get("www-authenticate")).toContain('error="invalid_request"');
  });

  it("protects POST routes of the page's API too (before the body is read)", async () => {
    const response = await fetch(`${t.httpBase}/api/calc/add`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ a: "2", b: "3" }),
    });
    expect(response.status).toBe(401);
  });

  it("keeps /healthz, /readyz, /metrics and the landing page open", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics", "/", "/static/app.js"]) {
      expect((await get(t.httpBase, path)).status, path).toBe(200);
    }
    const page = await (await get(t.httpBase, "/")).text();
    expect(page).toContain('id="token"');
    const metrics = await (await get(t.httpBase, "/metrics")).text();
    expect(metrics).toMatch(/grpc_server_handled_total\{[^}]*grpc_code="UNAUTHENTICATED"/);
  });

  it("answers gRPC Health without a token", async () => {
    const health = client("grpc.health.v1.Health", t.grpcAddress);
    expect(await unary(health, "Check", { service: "calc.Calc" })).toEqual({ status: "SERVING" });
    health.close();
  });

  it("says at start that authentication is on", () => {
    expect(t.logs).toContainEqual(
      expect.objectContaining({ msg: "authentication on: API calls need a bearer token" }),
    );
  });
});

describe("with AUTH_JWKS_URL", () => {
  let server: JwksServer;

  beforeAll(async () => {
    server = await serveJwks(rsa);
  });

  afterAll(async () => {
    await server.close();
  });

  it("fetches the key set, and fetches again for a new kid after a rotation", async () => {
    const t = await startTestApp({
      SERVICES: "calculator",
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_URL: server.url,
      AUTH_JWKS_MIN_REFRESH_MS: "0",
    });
    try {
      expect(await add(t.grpcAddress, bearer(await mint(rsa)))).toBe("5");
      const rotated = await makeKey("ES256", "ec-rotated");
      server.publish(rsa, rotated);
      const before = server.fetches();
      expect(await add(t.grpcAddress, bearer(await mint(rotated)))).toBe("5");
      expect(server.fetches()).toBe(before + 1);
      // A known kid needs no fetch.
      expect(await add(t.grpcAddress, bearer(await mint(rotated, { subject: "x" })))).toBe("5");
      expect(server.fetches()).toBe(before + 1);
    } finally {
      await t.close();
      server.publish(rsa);
    }
  });

  it("rate-limits reloads caused by unknown kids", async () => {
    const t = await startTestApp({
      SERVICES: "calculator",
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_URL: server.url,
      AUTH_JWKS_MIN_REFRESH_MS: "3600000",
    });
    try {
      const before = server.fetches();
      for (let i = 0; i < 5; i++) {
        const token = await mint(rsa, { kid: `made-up-${i}` });
        expect(await add(t.grpcAddress, bearer(token))).toBe(grpc.status.UNAUTHENTICATED);
      }
      expect(server.fetches()).toBe(before);
      expect(await add(t.grpcAddress, bearer(await mint(rsa)))).toBe("5");
    } finally {
      await t.close();
    }
  });
});

describe("while no key set can be loaded", () => {
  it("is not ready and answers UNAVAILABLE / 503, until the file appears", async () => {
    const file = join(dir, "late-jwks.json");
    const t = await startTestApp({
      SERVICES: "calculator",
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_JWKS_FILE: file,
      AUTH_JWKS_MIN_REFRESH_MS: "60000",
      AUTH_JWKS_FILE_POLL_MS: "50",
    });
    try {
      expect((await get(t.httpBase, "/readyz")).status).toBe(503);
      expect((await get(t.httpBase, "/healthz")).status).toBe(200);
      const token = bearer(await mint(rsa));
      expect(await add(t.grpcAddress, token)).toBe(grpc.status.UNAVAILABLE);
      expect((await get(t.httpBase, "/fibonacci/3", token)).status).toBe(503);
      writeJwksFile(file, rsa);
      await expect.poll(async () => (await get(t.httpBase, "/readyz")).status).toBe(200);
      expect(await add(t.grpcAddress, token)).toBe("5");
    } finally {
      await t.close();
    }
  });
});

describe("without AUTH_* (legacy clients)", () => {
  it("answers without a token and warns loudly at start", async () => {
    const t = await startTestApp({ SERVICES: "calculator" });
    try {
      expect(await add(t.grpcAddress)).toBe("5");
      expect((await get(t.httpBase, "/fibonacci/10/")).status).toBe(200);
      expect(await (await get(t.httpBase, "/")).text()).not.toContain('id="token"');
      expect(t.logs).toContainEqual(
        expect.objectContaining({ level: 40, msg: expect.stringMatching(/AUTHENTICATION IS OFF/) }),
      );
    } finally {
      await t.close();
    }
  });
});

describe("a partial AUTH_* set", () => {
  it("stops the process at start with exit 2 and a message naming what is missing", async () => {
    const service = startServiceProcess({ AUTH_ISSUER: ISSUER, AUTH_AUDIENCE: AUDIENCE });
    expect(await service.exited()).toBe(2);
    expect(service.stderr()).toContain(
      "incomplete authentication config: AUTH_ISSUER, AUTH_AUDIENCE set but AUTH_JWKS_URL or AUTH_JWKS_FILE missing",
    );
  });
});
