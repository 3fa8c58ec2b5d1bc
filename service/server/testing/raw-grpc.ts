/**
 * gRPC calls as raw HTTP/2 requests, for tests that must control the bytes a client sends
 * (compression flags, malformed headers, an unfinished message) or see the exact bytes of the
 * answer, which a grpc-js client hides.
 */
import type { ClientHttp2Session, ClientHttp2Stream, OutgoingHttpHeaders } from "node:http2";

export interface RawAnswer {
  headers: Record<string, unknown>;
  trailers: Record<string, unknown>;
  /** The response body (gRPC frames) as hex. */
  body: string;
}

/** A message in gRPC's 5-byte frame: the compressed flag, then its length. */
export function framed(message: Buffer, compressed = false): Buffer {
  const head = Buffer.alloc(5);
  head[0] = compressed ? 1 : 0;
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** Opens a raw gRPC request (its stream) on `session`; the caller writes the body. */
export function openRaw(
  session: ClientHttp2Session,
  path: string,
  extra: OutgoingHttpHeaders = {},
): ClientHttp2Stream {
  return session.request({
    ":method": "POST",
    ":path": path,
    "content-type": "application/grpc",
    te: "trailers",
    ...extra,
  });
}

/**
 * One raw gRPC request on `session`; the answer without its date header. `complete: false`
 * leaves the request open after the body (a message that never completes).
 */
export function sendRaw(
  session: ClientHttp2Session,
  path: string,
  body: Buffer,
  extra: OutgoingHttpHeaders = {},
  complete = true,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const request = openRaw(session, path, extra);
    const answer: RawAnswer = { headers: {}, trailers: {}, body: "" };
    const chunks: Buffer[] = [];
    // Object.entries leaves out node's Symbol(sensitiveHeaders) key: only headers are compared.
    request.on("response", (headers) => {
      answer.headers = Object.fromEntries(Object.entries(headers).filter(([k]) => k !== "date"));
    });
    request.on(
      "trailers",
      (trailers) => (answer.trailers = Object.fromEntries(Object.entries(trailers))),
    );
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve({ ...answer, body: Buffer.concat(chunks).toString("hex") }));
    request.on("error", reject);
    if (complete) request.end(body);
    else request.write(body);
  });
}
