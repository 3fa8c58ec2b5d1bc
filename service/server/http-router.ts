/**
 * A minimal HTTP router for node:http: routes are a method list plus a path pattern with
 * ":param" segments; a trailing slash is optional on every route. Handlers return a reply
 * object; the server writes it (and maps thrown errors), so handlers never touch the socket.
 */
import type { IncomingMessage } from "node:http";

export interface HttpReply {
  status: number;
  /** Strings are sent as UTF-8. */
  body: string | Buffer;
  contentType: string;
  headers?: Readonly<Record<string, string>>;
}

export interface HttpRequestContext {
  readonly req: IncomingMessage;
  readonly url: URL;
  /** Decoded path parameters. */
  readonly params: Readonly<Record<string, string>>;
  /** The request body as text (bounded; over the limit answers 413). */
  readonly text: () => Promise<string>;
  /** The request body parsed as JSON; an unparsable body answers 400. */
  readonly json: () => Promise<unknown>;
}

export type HttpHandler = (ctx: HttpRequestContext) => Promise<HttpReply> | HttpReply;

export interface HttpRoute {
  /** Upper-case methods, or "*" for any. GET routes also answer HEAD. */
  readonly methods: readonly string[] | "*";
  /** e.g. "/fibonacci/:n" (a trailing slash in the request is accepted either way). */
  readonly path: string;
  readonly handler: HttpHandler;
  /**
   * Answered without a bearer token even when authentication is on (health, metrics, the
   * landing page and its assets). API routes leave it unset: protected by default.
   */
  readonly public?: boolean;
}

export type RouteMatch =
  | { kind: "found"; route: HttpRoute; params: Record<string, string> }
  | { kind: "method-not-allowed"; route: HttpRoute; allow: string[] }
  | { kind: "not-found" };

interface CompiledRoute {
  route: HttpRoute;
  segments: string[];
}

export class HttpRouter {
  private readonly routes: CompiledRoute[] = [];

  add(route: HttpRoute): void {
    const segments = splitPath(route.path);
    const clash = this.routes.find(
      (r) => r.segments.join("/") === segments.join("/") && overlaps(r.route, route),
    );
    if (clash) throw new Error(`http: route ${route.path} registered twice`);
    this.routes.push({ route, segments });
  }

  match(method: string, pathname: string): RouteMatch {
    const parts = splitPath(pathname);
    const allow: string[] = [];
    let pathMatch: HttpRoute | undefined;
    for (const { route, segments } of this.routes) {
      const params = matchSegments(segments, parts);
      if (!params) continue;
      if (acceptsMethod(route, method)) return { kind: "found", route, params };
      pathMatch = route;
      if (route.methods !== "*") allow.push(...route.methods);
    }
    return pathMatch
      ? { kind: "method-not-allowed", route: pathMatch, allow }
      : { kind: "not-found" };
  }
}

function acceptsMethod(route: HttpRoute, method: string): boolean {
  if (route.methods === "*") return true;
  return route.methods.includes(method) || (method === "HEAD" && route.methods.includes("GET"));
}

function overlaps(a: HttpRoute, b: HttpRoute): boolean {
  if (a.methods === "*" || b.methods === "*") return true;
  return a.methods.some((m) => b.methods.includes(m));
}

/** "/a/b/" -> ["a","b"]; "/" -> []; inner empty segments are kept (and never match). */
function splitPath(path: string): string[] {
  const parts = path.split("/");
  if (parts.length > 0 && parts[0] === "") parts.shift();
  if (parts.length > 0 && parts[parts.length - 1] === "") parts.pop();
  return parts;
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const part = parts[i]!;
    if (p.startsWith(":")) {
      if (part === "") return undefined;
      const decoded = safeDecode(part);
      if (decoded === undefined) return undefined;
      params[p.slice(1)] = decoded;
    } else if (p !== part) {
      return undefined;
    }
  }
  return params;
}

function safeDecode(s: string): string | undefined {
  if (!s.includes("%")) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}
