// Reflection and HTTP answers are untyped JSON-ish messages; tests index them freely.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestApp, rawHttp, startTestApp } from "./testing/harness.js";

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ SERVICES: "calculator" });
});

afterAll(async () => {
  await t.close();
});

async function get(
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(`${t.httpBase}${path}`, init);
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: response.status, body, headers: response.headers };
}

const FIB_400 =
  "176023680645013966468226945392411250770384383304492191886725992896575345044216019675";

describe("HTTP sequences", () => {
  it.each([
    ["/fibonacci/0/", "0"],
    ["/fibonacci/1", "1"],
    ["/fibonacci/10/", "55"],
    ["/fibonacci/400/", FIB_400],
    ["/factorial/0/", "1"],
    ["/factorial/6", "720"],
    ["/factorial/7/", "5040"],
    ["/ackermann/0/0/", "1"],
    ["/ackermann/2/3", "9"],
    ["/ackermann/3/4/", "125"],
  ])("GET %s answers %s", async (path, value) => {
    const { status, body, headers } = await get(path);
    expect(status).toBe(200);
    expect(headers.get("content-type")).toMatch(/^application\/json/);
    expect(body).toEqual({ response: value });
  });

  it("answers the exact 400! (869 digits)", async () => {
    const { body } = await get("/factorial/400/");
    expect(body.response).toHaveLength(869);
    expect(
      body.response.startsWith(
        "64034522846623895262347970319503005850702583026002959458684445942802397169186831436278478647463264676294350575035856810848298162883517435228961988646802997937341654150838162426461942352307046244325015114448670890662773914918117331955996440709549671345290477020322434911210797593280795101545372667251627877890009349763765710326350331533965349868386831339352024373788157786791506311858702618270169819740062983025308591298346162272304558339520759611505302236086810433297255194852674432232438669948422404232599805551610635942376961399231917134063858996537970147827206606320217379472010321356624613809077942304597360699567595836096158715129913822286578579549361617654480453222007825818400848436415591229454275384803558374518022675900061399560145595206127211192918105032491008000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000",
      ),
    ).toBe(true);
  });

  it.each([
    ["/fibonacci/401/", "401"],
    ["/fibonacci/-1", "-1"],
    ["/fibonacci/abc/", "abc"],
    ["/fibonacci/1.5", "1.5"],
    ["/fibonacci/%20", " "],
    ["/factorial/401", "401"],
    ["/ackermann/4/0/", "4"],
    ["/ackermann/3/5/", "5"],
    ["/ackermann/x/1", "x"],
    ["/factorial/99999999999999999999", "99999999999999999999"],
  ])("GET %s answers 400 invalid number: %s", async (path, input) => {
    const { status, body } = await get(path);
    expect(status).toBe(400);
    expect(body).toEqual({ error: `invalid number: ${input}` });
  });

  it("answers 405 with Allow for a POST to a GET route", async () => {
    const { status, headers } = await get("/fibonacci/1", { method: "POST" });
    expect(status).toBe(405);
    expect(headers.get("allow")).toBe("GET");
  });

  it("answers HEAD like GET without a body", async () => {
    const response = await fetch(`${t.httpBase}/fibonacci/10`, { method: "HEAD" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
  });
});

describe("HTTP JSON routes of the landing page", () => {
  const post = (path: string, body: unknown) =>
    get(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  it("adds, maxes and finds primes with the gRPC semantics", async () => {
    expect((await post("/api/calc/add", { a: "2", b: "3" })).body).toEqual({ sum: "5" });
    expect((await post("/api/calc/add", { a: 2, b: 3 })).body).toEqual({ sum: "5" });
    expect((await post("/api/calc/max", { a: "-2", b: "3" })).body).toEqual({ max: "3" });
    expect((await post("/api/calc/nth-primes", { n: "1, 12 10001" })).body).toEqual({
      nthPrimes: ["2", "37", "104743"],
    });
    expect((await post("/api/math/summation", { first: "1", last: "2" })).body).toEqual({
      result: "3",
      first: "1",
      last: "2",
    });
    expect((await post("/api/math/factorial", { base: "5" })).body).toEqual({
      result: "120",
      base: "5",
    });
  });

  it("answers 400 naming the problem for bad input", async () => {
    const overflow = await post("/api/calc/add", { a: "9223372036854775807", b: "1" });
    expect(overflow.status).toBe(400);
    expect(overflow.body.error).toContain("overflows int64");
    const notNumber = await post("/api/calc/add", { a: "two", b: "3" });
    expect(notNumber).toMatchObject({ status: 400, body: { error: 'a: not an integer: "two"' } });
    const lossy = await post("/api/calc/add", '{"a": 9223372036854775807, "b": 0}');
    expect(lossy.status).toBe(400);
    expect((await post("/api/calc/add", "{nope")).body).toEqual({
      error: "request body is not valid JSON",
    });
    expect((await post("/api/calc/add", "[1,2]")).status).toBe(400);
    expect((await post("/api/math/factorial", { base: "21" })).status).toBe(400);
  });

  it("answers 413 for a body over 64 KiB", async () => {
    const { status } = await post(
      "/api/calc/add",
      JSON.stringify({ a: "1", pad: "x".repeat(70_000) }),
    );
    expect(status).toBe(413);
  });
});

describe("HTTP operations endpoints", () => {
  it("answers /healthz and /readyz while serving", async () => {
    expect(await get("/healthz")).toMatchObject({ status: 200, body: { status: "ok" } });
    expect(await get("/readyz")).toMatchObject({ status: 200, body: { status: "ready" } });
  });

  it("exposes request counts and latency per method, route and code", async () => {
    await get("/fibonacci/nope");
    const { status, body, headers } = await get("/metrics");
    expect(status).toBe(200);
    expect(headers.get("content-type")).toMatch(/^text\/plain/);
    expect(body).toMatch(
      /http_requests_total\{method="GET",route="\/fibonacci\/:n",code="400"\} [1-9]/,
    );
    expect(body).toMatch(/http_request_duration_seconds_bucket\{[^}]*route="\/fibonacci\/:n"/);
  });

  it("answers 404 JSON for an unknown path and counts it under one label", async () => {
    expect(await get("/no/such/path")).toMatchObject({ status: 404, body: { error: "not found" } });
    const { body } = await get("/metrics");
    expect(body).toMatch(/http_requests_total\{method="GET",route="unmatched",code="404"\}/);
    expect(body).not.toContain("/no/such/path");
  });

  it("answers a malformed HTTP request with 400 and keeps serving", async () => {
    const raw = await rawHttp(t.app.httpPort, "GET /\x00 WHAT\r\nbad header\r\n\r\n");
    expect(raw).toMatch(/^HTTP\/1.1 400 /);
    expect((await get("/healthz")).status).toBe(200);
  });

  it("logs one debug line per request without stack traces for client errors", () => {
    const lines = t.logs.filter((l) => l.msg === "http request");
    expect(lines.length).toBeGreaterThan(20);
    expect(lines[0]).toMatchObject({
      level: 20,
      method: expect.any(String),
      status: expect.any(Number),
    });
    expect(t.logs.filter((l) => l.err !== undefined)).toEqual([]);
  });
});
