import { describe, expect, it } from "vitest";
import { type HttpRoute, HttpRouter } from "./http-router.js";

const route = (methods: HttpRoute["methods"], path: string): HttpRoute => ({
  methods,
  path,
  handler: () => ({ status: 200, body: path, contentType: "text/plain" }),
});

describe("HttpRouter", () => {
  const router = new HttpRouter();
  router.add(route(["GET"], "/"));
  router.add(route(["GET"], "/fibonacci/:n"));
  router.add(route(["GET"], "/ackermann/:m/:n"));
  router.add(route("*", "/getCounter"));
  router.add(route(["POST"], "/api/calc/add"));

  it.each([
    ["GET", "/", "/", {}],
    ["GET", "/fibonacci/10", "/fibonacci/:n", { n: "10" }],
    ["GET", "/fibonacci/10/", "/fibonacci/:n", { n: "10" }],
    ["HEAD", "/fibonacci/10/", "/fibonacci/:n", { n: "10" }],
    ["GET", "/fibonacci/%20x", "/fibonacci/:n", { n: " x" }],
    ["GET", "/ackermann/3/4/", "/ackermann/:m/:n", { m: "3", n: "4" }],
    ["DELETE", "/getCounter", "/getCounter", {}],
  ])("%s %s matches %s", (method, path, pattern, params) => {
    const match = router.match(method, path);
    expect(match).toMatchObject({ kind: "found", route: { path: pattern }, params });
  });

  it.each([
    ["GET", "/fibonacci"],
    ["GET", "/fibonacci//"],
    ["GET", "/fibonacci/1/2"],
    ["GET", "/fibonacci/%E0%A4%A"],
    ["GET", "/nope"],
    ["GET", "//"],
  ])("%s %s is not found", (method, path) => {
    expect(router.match(method, path).kind).toBe("not-found");
  });

  it("answers method-not-allowed with the allowed methods", () => {
    expect(router.match("GET", "/api/calc/add")).toMatchObject({
      kind: "method-not-allowed",
      allow: ["POST"],
    });
  });

  it("refuses a route registered twice for the same method", () => {
    expect(() => router.add(route(["GET"], "/fibonacci/:n/"))).toThrow("registered twice");
  });
});
