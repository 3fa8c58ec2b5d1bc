/**
 * The HTTP server (node:http, no framework): routes from the modules, one metric sample per
 * request (and a debug log line when LOG_LEVEL=debug), JSON errors, bounded bodies and timeouts, and malformed HTTP
 * answered 400 without disturbing other connections.
 */
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { Socket } from "node:net";
import { type Authenticator, bearerChallenge } from "../auth/verdict.js";
import { isInputError } from "../errors.js";
import type { Context } from "./context.js";
import { type HttpReply, type HttpRequestContext, HttpRouter } from "./http-router.js";
import { parseRequestTarget, type RequestTarget } from "./request-target.js";

// node:http is required, not imported: an ES module import of a builtin reads all of its
// exports, and three of node:http's (WebSocket, CloseEvent, MessageEvent) are getters that load
// Node's bundled undici, about a MiB of heap in every tenant process for classes it never uses.
const { createServer } = createRequire(import.meta.url)("node:http") as typeof import("node:http");

/** Largest request body a handler may read. */
export const MAX_BODY_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function jsonReply(
  status: number,
  value: unknown,
  headers?: Record<string, string>,
): HttpReply {
  return {
    status,
    body: JSON.stringify(value),
    contentType: "application/json; charset=utf-8",
    ...(headers && { headers }),
  };
}

export interface HttpServerHandle {
  readonly server: Server;
  /** From now on responses carry "Connection: close", so keep-alive clients move away. */
  startDraining(): void;
}

/**
 * The answer to a request node:http refuses before any handler runs: a slow client that did not
 * send its headers (headersTimeout) or whole request (requestTimeout) in time is told 408, headers
 * over the 16 KiB limit or more than 100 header lines 431; anything else that cannot be parsed 400.
 */
const CLIENT_ERROR_STATUS: Readonly<Record<string, string>> = {
  ERR_HTTP_REQUEST_TIMEOUT: "408 Request Timeout",
  HPE_HEADER_OVERFLOW: "431 Request Header Fields Too Large",
};

export function createHttpServer(
  ctx: Context,
  router: HttpRouter,
  auth?: Authenticator,
): HttpServerHandle {
  let draining = false;
  const isDraining = (): boolean => draining;
  const server = createServer((req, res) => handle(ctx, router, req, res, isDraining, auth));
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 100;
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    ctx.logger.debug({ code: error.code }, "http: malformed request");
    if (socket.writable && !socket.destroyed) {
      const status = CLIENT_ERROR_STATUS[error.code ?? ""] ?? "400 Bad Request";
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    } else {
      socket.destroy();
    }
  });
  return {
    server,
    startDraining() {
      draining = true;
    },
  };
}

/**
 * One request: route, run the handler, send, record. Synchronous handlers (the sequences) are
 * answered without a promise; the debug line is built only when debug is on.
 */
function handle(
  ctx: Context,
  router: HttpRouter,
  req: IncomingMessage,
  res: ServerResponse,
  draining: () => boolean,
  auth?: Authenticator,
): void {
  const started = performance.now();
  const method = req.method ?? "GET";
  let routeLabel = "unmatched";
  let reply: HttpReply | Promise<HttpReply>;
  try {
    const target = parseRequestTarget(req.url ?? "/");
    const match = target ? router.match(method, target.pathname) : undefined;
    if (!target || !match) {
      reply = jsonReply(400, { error: "malformed request target" });
    } else if (match.kind === "not-found") {
      reply = jsonReply(404, { error: "not found" });
    } else if (match.kind === "method-not-allowed") {
      routeLabel = match.route.path;
      reply = jsonReply(405, { error: "method not allowed" }, { allow: match.allow.join(", ") });
    } else {
      routeLabel = match.route.path;
      const { route } = match;
      const context = new RequestContext(req, target, match.params);
      reply =
        auth && !route.public
          ? authorize(ctx, auth, req).then((refused) => refused ?? route.handler(context))
          : route.handler(context);
    }
  } catch (error) {
    reply = errorReply(ctx, error, method, req.url);
  }
  if (reply instanceof Promise) {
    const label = routeLabel;
    reply.then(
      (answer) => finish(ctx, req, res, answer, method, label, started, draining()),
      (error: unknown) =>
        finish(
          ctx,
          req,
          res,
          errorReply(ctx, error, method, req.url),
          method,
          label,
          started,
          draining(),
        ),
    );
  } else {
    finish(ctx, req, res, reply, method, routeLabel, started, draining());
  }
}

function finish(
  ctx: Context,
  req: IncomingMessage,
  res: ServerResponse,
  reply: HttpReply,
  method: string,
  routeLabel: string,
  started: number,
  draining: boolean,
): void {
  try {
    send(res, reply, method === "HEAD", draining);
  } catch (error) {
    ctx.logger.error({ err: error, method, path: req.url?.slice(0, 200) }, "http: reply failed");
    res.destroy();
  }
  const seconds = (performance.now() - started) / 1e3;
  ctx.metrics.observeHttp(method, routeLabel, reply.status, seconds);
  if (ctx.logger.isLevelEnabled("debug")) {
    ctx.logger.debug(
      {
        method,
        path: req.url?.slice(0, 200),
        route: routeLabel,
        status: reply.status,
        ms: seconds * 1e3,
      },
      "http request",
    );
  }
}

/**
 * undefined when the request's bearer token verifies; else the refusal: 401 with an RFC 6750
 * challenge (503 while no key set could be loaded: the server, not the token, is at fault).
 */
async function authorize(
  ctx: Context,
  auth: Authenticator,
  req: IncomingMessage,
): Promise<HttpReply | undefined> {
  const header = req.headersDistinct.authorization ?? [];
  const verdict = await auth.check(header);
  if (verdict.ok) return undefined;
  ctx.logger.info(
    { method: req.method, path: req.url?.slice(0, 200), reason: verdict.reason },
    "http: request refused",
  );
  if (verdict.kind === "unavailable") {
    return jsonReply(
      503,
      { error: `cannot check tokens: ${verdict.reason}` },
      { "retry-after": "5" },
    );
  }
  return jsonReply(
    401,
    { error: `unauthenticated: ${verdict.reason}` },
    { "www-authenticate": bearerChallenge(ctx.config.tenant, verdict) },
  );
}

function errorReply(ctx: Context, error: unknown, method: string, path?: string): HttpReply {
  if (isInputError(error)) return jsonReply(400, { error: error.message });
  if (error instanceof HttpError) return jsonReply(error.status, { error: error.message });
  ctx.logger.error({ err: error, method, path: path?.slice(0, 200) }, "http: handler failed");
  return jsonReply(500, { error: "internal error" });
}

/** Headers every reply carries; a reply's own headers override them (cache-control). */
const DEFAULT_HEADERS: readonly (readonly [string, string])[] = [
  ["x-content-type-options", "nosniff"],
  ["cache-control", "no-store"],
];

/**
 * Writes the reply with one writeHead (a flat header list, no per-header setHeader calls). A
 * string body goes out as a string: node:http then sends headers and body in one write.
 */
function send(res: ServerResponse, reply: HttpReply, head: boolean, draining: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const { body } = reply;
  const length = typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.length;
  const headers = ["content-type", reply.contentType, "content-length", String(length)];
  const own = reply.headers;
  for (const [name, value] of DEFAULT_HEADERS) {
    if (!own || !(name in own)) headers.push(name, value);
  }
  if (own) for (const name of Object.keys(own)) headers.push(name, own[name]!);
  if (draining) headers.push("connection", "close");
  res.writeHead(reply.status, headers);
  res.end(head ? undefined : body);
}

/**
 * What a handler sees. A class, not an object literal with a getter (which V8 builds slowly,
 * per request); text and json are bound arrows, as handlers destructure them.
 */
class RequestContext implements HttpRequestContext {
  private bodyPromise: Promise<string> | undefined;

  constructor(
    readonly req: IncomingMessage,
    private readonly target: RequestTarget,
    readonly params: Record<string, string>,
  ) {}

  /** Parsed only for the handlers that read it (the query of /api/users). */
  get url(): URL {
    return this.target.url();
  }

  readonly text = (): Promise<string> => (this.bodyPromise ??= readBody(this.req));

  readonly json = async (): Promise<unknown> => {
    const body = await this.text();
    try {
      return JSON.parse(body) as unknown;
    } catch {
      throw new HttpError(400, "request body is not valid JSON");
    }
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `request body over ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => reject(new HttpError(400, "request body could not be read")));
  });
}
