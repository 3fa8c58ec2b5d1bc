/**
 * The HTTP server (node:http, no framework): routes from the modules, one debug log line and one
 * metric sample per request, JSON errors, bounded bodies and timeouts, and malformed HTTP
 * answered 400 without disturbing other connections.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { type Authenticator, bearerChallenge } from "../auth/authenticator.js";
import { isInputError } from "../errors.js";
import type { Context } from "./context.js";
import { type HttpReply, type HttpRequestContext, HttpRouter } from "./http-router.js";

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
 * over the 16 KiB limit 431; anything else that cannot be parsed 400.
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
  const server = createServer((req, res) => {
    void handle(ctx, router, req, res, () => draining, auth);
  });
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

async function handle(
  ctx: Context,
  router: HttpRouter,
  req: IncomingMessage,
  res: ServerResponse,
  draining: () => boolean,
  auth?: Authenticator,
): Promise<void> {
  const started = process.hrtime.bigint();
  const method = req.method ?? "GET";
  let routeLabel = "unmatched";
  let reply: HttpReply;
  try {
    const url = parseTarget(req.url ?? "/");
    const match = url ? router.match(method, url.pathname) : undefined;
    if (!url || !match) {
      reply = jsonReply(400, { error: "malformed request target" });
    } else if (match.kind === "not-found") {
      reply = jsonReply(404, { error: "not found" });
    } else if (match.kind === "method-not-allowed") {
      routeLabel = match.route.path;
      reply = jsonReply(405, { error: "method not allowed" }, { allow: match.allow.join(", ") });
    } else {
      routeLabel = match.route.path;
      const refused = auth && !match.route.public ? await authorize(ctx, auth, req) : undefined;
      reply = refused ?? (await match.route.handler(requestContext(req, url, match.params)));
    }
  } catch (error) {
    reply = errorReply(ctx, error, method, req.url);
  }
  send(res, reply, method === "HEAD", draining());
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  ctx.metrics.observeHttp(method, routeLabel, reply.status, seconds);
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

/** Origin-form ("/path?q", including "//x") or absolute-form targets; undefined if unparsable. */
function parseTarget(target: string): URL | undefined {
  try {
    return target.startsWith("/") ? new URL(`http://service.invalid${target}`) : new URL(target);
  } catch {
    return undefined;
  }
}

function errorReply(ctx: Context, error: unknown, method: string, path?: string): HttpReply {
  if (isInputError(error)) return jsonReply(400, { error: error.message });
  if (error instanceof HttpError) return jsonReply(error.status, { error: error.message });
  ctx.logger.error({ err: error, method, path: path?.slice(0, 200) }, "http: handler failed");
  return jsonReply(500, { error: "internal error" });
}

function send(res: ServerResponse, reply: HttpReply, head: boolean, draining: boolean): void {
  if (res.headersSent || res.destroyed) return;
  const body = typeof reply.body === "string" ? Buffer.from(reply.body, "utf8") : reply.body;
  res.statusCode = reply.status;
  res.setHeader("content-type", reply.contentType);
  res.setHeader("content-length", body.length);
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("cache-control", "no-store");
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (draining) res.setHeader("connection", "close");
  res.end(head ? undefined : body);
}

function requestContext(
  req: IncomingMessage,
  url: URL,
  params: Record<string, string>,
): HttpRequestContext {
  let bodyPromise: Promise<string> | undefined;
  const text = (): Promise<string> => (bodyPromise ??= readBody(req));
  return {
    req,
    url,
    params,
    text,
    json: async () => {
      const body = await text();
      try {
        return JSON.parse(body) as unknown;
      } catch {
        throw new HttpError(400, "request body is not valid JSON");
      }
    },
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
