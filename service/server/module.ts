/**
 * What a feature plugs into the server: gRPC services (by proto file and full name, with plain
 * async handlers), HTTP routes, and start/stop hooks for resources it owns (a store, a watcher).
 * See app.ts for how modules are composed.
 */
import type * as grpc from "@grpc/grpc-js";
import type { Config } from "../config.js";
import type { Context } from "./context.js";
import type { HttpRoute } from "./http-router.js";

/**
 * One unary method. Receives the decoded request (proto-loader objects: int64 as strings, enums
 * as names, keepCase field names) and returns the response object. Throw an InputError (see
 * errors.ts) for a caller's mistake, or a GrpcStatusError for any other specific status;
 * anything else becomes INTERNAL and is logged with its stack.
 */
export type UnaryHandler = (
  request: Record<string, unknown>,
  call: grpc.ServerUnaryCall<unknown, unknown>,
) => Promise<object> | object;

export interface GrpcServiceSpec {
  /** Fully qualified service name, e.g. "calc.Calc" or "MathHelper". */
  readonly name: string;
  /** The .proto file declaring it, relative to service/proto (e.g. "calc.proto"). */
  readonly protoFile: string;
  /** One handler per rpc, keyed by the method name as written in the .proto ("NthPrimes"). */
  readonly handlers: Readonly<Record<string, UnaryHandler>>;
}

export interface ServiceModule {
  /** For logs and errors. */
  readonly name: string;
  readonly grpc?: readonly GrpcServiceSpec[];
  readonly http?: readonly HttpRoute[];
  /** False while the module cannot serve (e.g. store down): /readyz answers 503. */
  readonly ready?: () => boolean;
  /** Releases what the module holds; called once, after both servers have stopped. */
  readonly close?: () => Promise<void>;
}

/**
 * Builds a module. May open resources (async); runs before the servers listen, so a failure
 * stops start-up with a clear error. `enabled` decides from config whether it is built at all.
 */
export interface ModuleFactory {
  readonly name: string;
  readonly enabled?: (config: Config) => boolean;
  readonly create: (ctx: Context) => ServiceModule | Promise<ServiceModule>;
}

/** Lets a handler answer with a specific gRPC status and message. */
export class GrpcStatusError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
    this.name = "GrpcStatusError";
  }
}
