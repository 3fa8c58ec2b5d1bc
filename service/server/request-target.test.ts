import { describe, expect, it } from "vitest";
import { parseRequestTarget } from "./request-target.js";

/** What the server routed on before the fast path: the WHATWG URL parser's pathname. */
const parserPathname = (target: string): string | undefined => {
  try {
    return (target.startsWith("/") ? new URL(`http://service.invalid${target}`) : new URL(target))
      .pathname;
  } catch {
    return undefined;
  }
};

const TARGETS = [
  "/",
  "/fibonacci/100/",
  "/fibonacci/100",
  "/getCounter",
  "/api/users?name=mael&x=1",
  "//double//slash/",
  "/a.b/c.d",
  "/./fibonacci/10/",
  "/x/../fibonacci/10/",
  "/fibonacci/%2e%2E/",
  "/fibonacci/.",
  "/fibonacci/%31%30/",
  "/fibonacci/%zz/",
  "/back\\slash",
  "/sp ace",
  '/quote"<>`{}',
  "/hash#frag",
  "/caf\u00e9",
  "/tab\tx",
  "/?only=query",
  "/a?b/../c",
  "http://example.com/abs/path?q=1",
  "http://example.com/abs/./x/../y",
  "*",
  "not a url",
];

describe("parseRequestTarget", () => {
  it.each(TARGETS)("routes %j on the same pathname as the URL parser", (target) => {
    expect(parseRequestTarget(target)?.pathname).toBe(parserPathname(target));
  });

  it("agrees with the URL parser on random targets built from every printable ASCII byte", () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    for (let i = 0; i < 5_000; i++) {
      let target = "/";
      for (let j = random(12); j > 0; j--) target += String.fromCharCode(32 + random(95));
      expect(parseRequestTarget(target)?.pathname, target).toBe(parserPathname(target));
    }
  });

  it("gives the whole URL with its query on demand, parsed once", () => {
    const target = parseRequestTarget("/api/users?name=ma%C3%ABl&from=1")!;
    const url = target.url();
    expect(url.searchParams.get("name")).toBe("maël");
    expect(target.url()).toBe(url);
  });

  it("answers undefined for a target the URL parser refuses", () => {
    expect(parseRequestTarget("not a url")).toBeUndefined();
  });
});
