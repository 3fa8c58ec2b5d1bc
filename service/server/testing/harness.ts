/**
 * Test harness: starts the real app in this process on free loopback ports (with a fresh
 * DATA_DIR, removed on close), and builds real
 * grpc-js clients from the .proto files (same loader options as the server).
 */
import * as grpc from "@grpc/grpc-js";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../config.js";
import { type App, MODULES, startApp } from "../app.js";
import type { Context } from "../context.js";
import { createMetrics } from "../metrics.js";
import { capturedLogger } from "./captured-logger.js";
import type { ModuleFactory } from "../module.js";
import { infrastructureProtos, loadProtos } from "../protos.js";

export interface TestApp {
  app: App;
  ctx: Context;
  grpcAddress: string;
  httpBase: string;
  /** Every log line the app wrote, parsed. */
  logs: Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startTestApp(
  env: Record<string, string> = {},
  modules: readonly ModuleFactory[] = MODULES,
): Promise<TestApp> {
  const dataDir = mkdtempSync(join(tmpdir(), "service-test-"));
  const config = loadConfig({
    DATA_DIR: dataDir,
    HOST: "127.0.0.1",
    GRPC_PORT: "0",
    HTTP_PORT: "0",
    LOG_LEVEL: "debug",
    SHUTDOWN_TIMEOUT_MS: "2000",
    ...env,
  });
  const { logger, logs } = capturedLogger(config);
  const ctx: Context = {
    config,
    logger,
    metrics: createMetrics({ defaultMetrics: false }),
  };
  let app: App;
  try {
    app = await startApp(ctx, modules);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    app,
    ctx,
    grpcAddress: `127.0.0.1:${app.grpcPort}`,
    httpBase: `http://127.0.0.1:${app.httpPort}`,
    logs,
    close: async () => {
      await app.shutdown();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type ClientCtor = new (address: string, creds: grpc.ChannelCredentials) => grpc.Client;

/** grpc-js client constructors for every service, by full name ("calc.Calc", "MathHelper", ...). */
export function clientConstructors(): Record<string, ClientCtor> {
  const infra = infrastructureProtos();
  const pkg = loadProtos(
    ["calc.proto", "math_helper.proto", ...infra.map((p) => p.file)],
    infra.map((p) => p.includeDir),
  );
  const root = grpc.loadPackageDefinition(pkg);
  const lookup = (name: string): ClientCtor =>
    name
      .split(".")
      .reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], root) as ClientCtor;
  return {
    "calc.Calc": lookup("calc.Calc"),
    MathHelper: lookup("MathHelper"),
    "grpc.health.v1.Health": lookup("grpc.health.v1.Health"),
    "grpc.reflection.v1.ServerReflection": lookup("grpc.reflection.v1.ServerReflection"),
    "grpc.reflection.v1alpha.ServerReflection": lookup("grpc.reflection.v1alpha.ServerReflection"),
  };
}

export function client(name: string, address: string): grpc.Client {
  const Ctor = clientConstructors()[name];
  if (!Ctor) throw new Error(`no client for ${name}`);
  return new Ctor(address, grpc.credentials.createInsecure());
}

type UnaryMethod = (
  request: object,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response: unknown) => void,
) => void;

/** Calls a unary method; resolves the response or rejects with the ServiceError. */
export function unary<T = Record<string, unknown>>(
  c: grpc.Client,
  method: string,
  request: object,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const fn = (c as unknown as Record<string, UnaryMethod | undefined>)[method];
    if (!fn) throw new Error(`client has no method ${method}`);
    fn.call(
      c,
      request,
      { deadline: Date.now() + 10_000 },
      (error: grpc.ServiceError | null, response: unknown) =>
        error ? reject(error) : resolve(response as T),
    );
  });
}

/** Calls a unary method and returns the error it fails with (fails the test if it succeeds). */
export async function unaryError(
  c: grpc.Client,
  method: string,
  request: object,
): Promise<grpc.ServiceError> {
  try {
    const response = await unary(c, method, request);
    throw new Error(`expected ${method} to fail, got ${JSON.stringify(response)}`);
  } catch (error) {
    if ((error as grpc.ServiceError).code === undefined) throw error;
    return error as grpc.ServiceError;
  }
}

/** Sends raw bytes on a fresh TCP connection; resolves what came back when the server closes it. */
export function rawHttp(port: number, bytes: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("raw HTTP: no answer in time"));
    }, timeoutMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", () => undefined); // a reset after the answer is fine
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    socket.end(bytes);
  });
}
