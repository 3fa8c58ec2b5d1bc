/**
 * The request target (req.url) of node:http as a path to route on, plus the full URL only when
 * a handler asks for it. A WHATWG URL parse per request was a visible share of the HTTP
 * server's CPU per call; most targets ("/fibonacci/10/", "/getCounter") are plain paths whose
 * pathname is the target itself, so only the others go through the URL parser.
 */

export interface RequestTarget {
  /** The URL's pathname: what the router matches. */
  readonly pathname: string;
  /** The whole target as a URL (parsed on first use). */
  readonly url: () => URL;
}

const BASE = "http://service.invalid";

/**
 * Path characters the URL parser leaves exactly as they are (RFC 3986 pchar plus "/"), with
 * no "/." (dot segments are resolved by the parser) and no "\" (read as "/").
 */
const PLAIN_PATH = /^\/[A-Za-z0-9\-_~!$&'()*+,;=:@%/.]*$/;

function isPlainPath(path: string): boolean {
  return PLAIN_PATH.test(path) && !path.includes("/.") && !/%2e/i.test(path);
}

/** Origin-form ("/path?q", including "//x") or absolute-form targets; undefined if unparsable. */
export function parseRequestTarget(target: string): RequestTarget | undefined {
  if (target.startsWith("/")) {
    const query = target.indexOf("?");
    const path = query === -1 ? target : target.slice(0, query);
    if (isPlainPath(path)) {
      let parsed: URL | undefined;
      return { pathname: path, url: () => (parsed ??= new URL(`${BASE}${target}`)) };
    }
  }
  let url: URL;
  try {
    url = target.startsWith("/") ? new URL(`${BASE}${target}`) : new URL(target);
  } catch {
    return undefined;
  }
  return { pathname: url.pathname, url: () => url };
}
