/**
 * Turns a module's plain async handlers into grpc-js unary handlers: maps errors to status codes
 * once for every service, and records one metric sample and one debug log line per call.
 */
import * as grpc from "@grpc/grpc-js";
import type { Authenticator } from "../auth/authenticator.js";
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

export function wrapUnary(
  ctx: Context,
  service: string,
  method: string,
  handler: UnaryHandler,
  auth?: Authenticator,
): grpc.handleUnaryCall<Record<string, unknown>, object> {
  const where = `/${service}/${method}`;
  return (call, callback) => {
    const started = process.hrtime.bigint();
    const finish = (code: grpc.status): void => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      ctx.metrics.observeGrpc(service, method, statusName(code), seconds);
      ctx.logger.debug({ method: where, code: statusName(code), ms: seconds * 1e3 }, "grpc call");
    };
    const run = (): Promise<object> | object => handler(call.request ?? {}, call);
    Promise.resolve()
      .then(auth ? () => authorize(ctx, auth, call.metadata, where).then(run) : run)
      .then(
        (response) => {
          finish(grpc.status.OK);
          callback(null, response);
        },
        (error: unknown) => {
          const status = toServiceError(ctx, error, where);
          finish(status.code);
          callback(status);
        },
      )
      .catch((error: unknown) =>
        ctx.logger.error({ err: error, method: where }, "grpc: reply failed"),
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
