/**
 * Turns a module's plain handlers (sync or async) into grpc-js unary handlers: maps errors to
 * status codes once for every service, and records one metric sample per call (and a debug log
 * line when LOG_LEVEL=debug).
 */
import * as grpc from "@grpc/grpc-js";
import type { Authenticator } from "../auth/verdict.js";
import { isInputError } from "../errors.js";
import type { Context } from "./context.js";
import { GrpcStatusError, type UnaryHandler } from "./module.js";

const CODE_NAMES = new Map<number, string>(
  Object.entries(grpc.status)
    .filter((e): e is [string, number] => typeof e[1] === "number")
    .map(([name, code]) => [code, name]),
);

export function statusName(code: number): string {
  return CODE_NAMES.get(code) ?? String(code);
}

/** The status a thrown error becomes; unexpected errors are logged (with stack) as INTERNAL. */
export function toServiceError(
  ctx: Context,
  error: unknown,
  where: string,
): Partial<grpc.StatusObject> & { code: grpc.status } {
  if (isInputError(error)) {
    const code =
      error.kind === "out_of_range" ? grpc.status.OUT_OF_RANGE : grpc.status.INVALID_ARGUMENT;
    return { code, details: error.message };
  }
  if (error instanceof GrpcStatusError) return { code: error.code, details: error.message };
  ctx.logger.error({ err: error, method: where }, "grpc: handler failed");
  return { code: grpc.status.INTERNAL, details: "internal error" };
}

/**
 * The per-call path, kept lean (it is most of what the service itself adds to a call): the
 * metric series is looked up once per status, the debug line is built only when debug is on,
 * and a handler that answers synchronously (the calculator) is answered without a promise.
 */
export function wrapUnary(
  ctx: Context,
  service: string,
  method: string,
  handler: UnaryHandler,
  auth?: Authenticator,
): grpc.handleUnaryCall<Record<string, unknown>, object> {
  const where = `/${service}/${method}`;
  const record = ctx.metrics.grpcMethod(service, method);
  const finish = (code: grpc.status, started: number): void => {
    const seconds = (performance.now() - started) / 1e3;
    const name = statusName(code);
    record(name, seconds);
    if (ctx.logger.isLevelEnabled("debug")) {
      ctx.logger.debug({ method: where, code: name, ms: seconds * 1e3 }, "grpc call");
    }
  };
  /** Sends the answer; grpc-js reports its own failures, but none may escape as a crash. */
  const reply = (
    callback: grpc.sendUnaryData<object>,
    status: Partial<grpc.StatusObject> | null,
    response?: object,
  ): void => {
    try {
      callback(status, response);
    } catch (error) {
      ctx.logger.error({ err: error, method: where }, "grpc: reply failed");
    }
  };
  const fail = (error: unknown, started: number, callback: grpc.sendUnaryData<object>): void => {
    const status = toServiceError(ctx, error, where);
    finish(status.code, started);
    reply(callback, status);
  };
  type Call = Parameters<grpc.handleUnaryCall<Record<string, unknown>, object>>;
  const serve = (call: Call[0], callback: Call[1], started: number): void => {
    let answer: ReturnType<UnaryHandler>;
    try {
      answer = handler(call.request ?? {}, call);
    } catch (error) {
      fail(error, started, callback);
      return;
    }
    if (!(answer instanceof Promise)) {
      finish(grpc.status.OK, started);
      reply(callback, null, answer);
      return;
    }
    answer.then(
      (response) => {
        finish(grpc.status.OK, started);
        reply(callback, null, response);
      },
      (error: unknown) => fail(error, started, callback),
    );
  };
  if (!auth) return (call, callback) => serve(call, callback, performance.now());
  return (call, callback) => {
    const started = performance.now();
    authorize(ctx, auth, call.metadata, where).then(
      () => serve(call, callback, started),
      (error: unknown) => fail(error, started, callback),
    );
  };
}

/** Refuses the call (UNAUTHENTICATED; UNAVAILABLE while no key set is loaded) unless its token verifies. */
async function authorize(
  ctx: Context,
  auth: Authenticator,
  metadata: grpc.Metadata,
  where: string,
): Promise<void> {
  const values = metadata.get("authorization").map((v) => (typeof v === "string" ? v : ""));
  const verdict = await auth.check(values);
  if (verdict.ok) return;
  ctx.logger.info({ method: where, reason: verdict.reason }, "grpc: call refused");
  if (verdict.kind === "unavailable") {
    throw new GrpcStatusError(grpc.status.UNAVAILABLE, `cannot check tokens: ${verdict.reason}`);
  }
  throw new GrpcStatusError(grpc.status.UNAUTHENTICATED, `unauthenticated: ${verdict.reason}`);
}
