/**
 * Composition of the compute service: ONE gRPC server and ONE HTTP server, built from modules.
 *
 * Extension points (how a feature plugs in; see module.ts for the types):
 * - Write a ModuleFactory { name, enabled?(config), create(ctx) } whose create() returns a
 *   ServiceModule with any of:
 *     grpc:  [{ name: "pkg.Service", protoFile: "x.proto", handlers: { Method: async (req) => res } }]
 *            (the proto is loaded from service/proto with LOADER_OPTIONS: int64 as strings,
 *            or BigInt in messages made only of int64s (int64-codec.ts), so read them with
 *            toBigInt; keepCase; every rpc must have a handler and vice versa, checked at
 *            start; errors map to status codes in one place: InputError ->
 *            INVALID_ARGUMENT/OUT_OF_RANGE, GrpcStatusError -> its code, anything else ->
 *            INTERNAL, logged with a stack),
 *     http:  [{ methods: ["GET"] | "*", path: "/x/:id", handler: (ctx) => reply }]
 *            (trailing slash optional; InputError -> 400 {"error": message}),
 *     ready: () => boolean   (false makes /readyz answer 503),
 *     close: async () => {}  (called once, after both servers stopped).
 * - Add the factory to MODULES below (order = start order; close runs in reverse).
 *   create() may open resources (a store); it runs before the servers listen and gets the
 *   Context (config, logger, metrics). Every module's gRPC services are registered with health
 *   (SERVING once started, NOT_SERVING while draining) and reflection automatically.
 * Always on: /healthz, /readyz, /metrics, the landing page, Health and reflection.
 *
 * Authentication (config.auth, see service/auth/): when on, every module's gRPC method and
 * every HTTP route not marked `public` needs a valid bearer token. Health, reflection, /healthz,
 * /readyz, /metrics and the landing page stay open. When off, the per-call cost is nil, and the
 * authenticator (with jose, ~2 MiB of RSS) is never loaded.
 */
import * as grpc from "@grpc/grpc-js";
import { setTimeout as delay } from "node:timers/promises";
import type { Authenticator } from "../auth/verdict.js";
import type { AuthConfig } from "../config.js";
import type { Logger } from "../log.js";
import { calculatorModule } from "./modules/calculator.js";
import { storageModule } from "./modules/storage.js";
import { webModule } from "./modules/web.js";
import type { Context } from "./context.js";
import { type FastUnaryMethod, installFastUnaryPath } from "./grpc-fast-unary.js";
import { wrapUnary } from "./grpc-handlers.js";
import { withInt64Codecs } from "./int64-codec.js";
import { withLeanEncoders } from "./lean-encoder.js";
import { scheduleFilePageRelease } from "./file-pages.js";
import { createHealth, type Health } from "./health.js";
import { HttpRouter } from "./http-router.js";
import { createHttpServer, jsonReply } from "./http-server.js";
import { bindGrpc, listenHttp, stopGrpc, stopHttp } from "./listen.js";
import type { GrpcServiceSpec, ModuleFactory, ServiceModule } from "./module.js";
import { HEALTH_PROTO, HEALTH_PROTO_DIR, infrastructureProtos } from "./proto-files.js";
import { loadServerProtos, serviceDefinition } from "./proto-package.js";
import { addReflection } from "./reflection.js";

/**
 * Bounded messages, and connections recycled every few minutes (with a grace period for calls
 * in flight) so clients re-resolve and spread over new replicas when the tenant scales out:
 * HTTP/2 connections are long-lived and a Kubernetes Service balances connections, not calls.
 * Channelz is off: it keeps per-call and per-socket counters (a tracker object with closures
 * and two Date.now() per call) for a channelz service we do not serve (and the fast unary path,
 * grpc-fast-unary.ts, hooks the stream handler grpc-js uses when it is off).
 */
const GRPC_SERVER_OPTIONS: grpc.ServerOptions = {
  "grpc.enable_channelz": 0,
  "grpc.max_receive_message_length": 4 * 1024 * 1024,
  "grpc.max_connection_age_ms": 5 * 60_000,
  "grpc.max_connection_age_grace_ms": 30_000,
  "grpc.keepalive_time_ms": 60_000,
  "grpc.keepalive_timeout_ms": 20_000,
};

/** Every feature module, in start order. */
export const MODULES: readonly ModuleFactory[] = [calculatorModule, storageModule, webModule];

export interface App {
  readonly grpcPort: number;
  readonly httpPort: number;
  /** The gRPC service names served (without Health and reflection). */
  readonly grpcServices: readonly string[];
  /**
   * Graceful stop: NOT_SERVING and /readyz 503 at once, wait the drain delay, stop accepting,
   * let in-flight calls finish (bounded by shutdownTimeoutMs, then cut), close the modules.
   * Idempotent: later calls return the same promise.
   */
  shutdown(): Promise<void>;
}

export async function startApp(ctx: Context, factories = MODULES): Promise<App> {
  const auth = ctx.config.auth && (await startAuthenticator(ctx.config.auth, ctx.logger));
  let modules: ServiceModule[];
  try {
    modules = await createModules(ctx, factories);
  } catch (error) {
    auth?.close();
    throw error;
  }
  // Not ready until a key set is loaded (nothing could be answered); closed with the modules.
  if (auth)
    modules.unshift({ name: "auth", ready: () => auth.ready(), close: async () => auth.close() });
  try {
    return await startServers(ctx, modules, auth);
  } catch (error) {
    await closeModules(ctx, modules);
    throw error;
  }
}

/** The authenticator, imported only when authentication is on (see the header). */
async function startAuthenticator(config: AuthConfig, logger: Logger): Promise<Authenticator> {
  const { createAuthenticator } = await import("../auth/authenticator.js");
  return createAuthenticator(config, logger);
}

async function createModules(
  ctx: Context,
  factories: readonly ModuleFactory[],
): Promise<ServiceModule[]> {
  const modules: ServiceModule[] = [];
  for (const factory of factories) {
    if (factory.enabled && !factory.enabled(ctx.config)) continue;
    try {
      modules.push(await factory.create(ctx));
    } catch (error) {
      await closeModules(ctx, modules);
      throw new Error(`module ${factory.name} failed to start: ${String(error)}`, { cause: error });
    }
  }
  return modules;
}

async function closeModules(ctx: Context, modules: readonly ServiceModule[]): Promise<void> {
  for (const module of [...modules].reverse()) {
    try {
      await module.close?.();
    } catch (error) {
      ctx.logger.error({ err: error, module: module.name }, "module close failed");
    }
  }
}

interface State {
  draining: boolean;
}

async function startServers(
  ctx: Context,
  modules: readonly ServiceModule[],
  auth: Authenticator | undefined,
): Promise<App> {
  const state: State = { draining: false };
  const specs = modules.flatMap((m) => m.grpc ?? []);
  const names = specs.map((s) => s.name);
  const health = createHealth(names);
  const grpcServer = buildGrpcServer(ctx, specs, health, auth);
  const router = buildRouter(ctx, modules, state);
  const http = createHttpServer(ctx, router, auth);
  const { host, grpcPort, httpPort } = ctx.config;
  const boundGrpc = await bindGrpc(
    grpcServer,
    `${host.includes(":") ? `[${host}]` : host}:${grpcPort}`,
  );
  let boundHttp: number;
  try {
    boundHttp = await listenHttp(http.server, host, httpPort);
  } catch (error) {
    grpcServer.forceShutdown();
    throw error;
  }
  health.setAll("SERVING");
  ctx.logger.info({ grpcPort: boundGrpc, httpPort: boundHttp, services: names }, "service started");
  logAuthMode(ctx);
  const cancelRelease = ctx.config.releaseFilePages
    ? scheduleFilePageRelease(ctx.logger)
    : () => {};
  let stopping: Promise<void> | undefined;
  const running = { state, health, grpcServer, http, modules, cancelRelease };
  return {
    grpcPort: boundGrpc,
    httpPort: boundHttp,
    grpcServices: names,
    shutdown: () => (stopping ??= shutdown(ctx, running)),
  };
}

function buildGrpcServer(
  ctx: Context,
  specs: readonly GrpcServiceSpec[],
  health: Health,
  auth: Authenticator | undefined,
): grpc.Server {
  const files = [...new Set(specs.map((s) => s.protoFile))];
  const pkg = loadServerProtos([...files, HEALTH_PROTO], [HEALTH_PROTO_DIR]);
  const server = new grpc.Server(GRPC_SERVER_OPTIONS);
  const fast: FastUnaryMethod[] = [];
  for (const spec of specs) {
    // int64-only messages (the calculator, the counter) skip protobufjs's Long round trip;
    // answers of strings, int32s, enums and nested messages (the user directory) skip its
    // message objects and operation queue
    const definition = withLeanEncoders(withInt64Codecs(serviceDefinition(pkg, spec.name)), pkg);
    const rpcNames = Object.values(definition).map((m) => m.path.split("/")[2] ?? "");
    const missing = rpcNames.filter((n) => !(n in spec.handlers));
    const extra = Object.keys(spec.handlers).filter((n) => !rpcNames.includes(n));
    if (missing.length || extra.length) {
      throw new Error(
        `gRPC ${spec.name}: handlers do not match the proto (missing: ${missing.join(",") || "-"}; unknown: ${extra.join(",") || "-"})`,
      );
    }
    const implementation: grpc.UntypedServiceImplementation = {};
    for (const [method, handler] of Object.entries(spec.handlers)) {
      const wrapped = wrapUnary(ctx, spec.name, method, handler, auth);
      implementation[method] = wrapped;
      const { path, requestDeserialize, responseSerialize } = definition[method]!;
      fast.push({
        path,
        deserialize: requestDeserialize,
        serialize: responseSerialize as (value: unknown) => Buffer,
        handler: wrapped as grpc.handleUnaryCall<unknown, unknown>,
      });
    }
    server.addService(definition, implementation);
  }
  // Our unary methods skip grpc-js's per-call machinery (about 40 % of a call's CPU); health,
  // reflection and anything unusual keep grpc-js's path. See grpc-fast-unary.ts.
  installFastUnaryPath(server, fast, {
    maxReceiveMessageLength: GRPC_SERVER_OPTIONS["grpc.max_receive_message_length"]!,
  });
  health.addToServer(server, serviceDefinition(pkg, "grpc.health.v1.Health"));
  const infra = infrastructureProtos();
  addReflection(server, {
    files: [...files, ...infra.map((p) => p.file)],
    includeDirs: infra.map((p) => p.includeDir),
  });
  return server;
}

function buildRouter(ctx: Context, modules: readonly ServiceModule[], state: State): HttpRouter {
  const router = new HttpRouter();
  const ready = (): boolean => !state.draining && modules.every((m) => m.ready?.() ?? true);
  router.add({
    methods: ["GET"],
    path: "/healthz",
    public: true,
    handler: () => jsonReply(200, { status: "ok" }),
  });
  router.add({
    methods: ["GET"],
    path: "/readyz",
    public: true,
    handler: () =>
      ready()
        ? jsonReply(200, { status: "ready" })
        : jsonReply(503, { status: state.draining ? "draining" : "not ready" }),
  });
  router.add({
    methods: ["GET"],
    path: "/metrics",
    public: true,
    handler: async () => ({
      status: 200,
      body: await ctx.metrics.registry.metrics(),
      contentType: ctx.metrics.registry.contentType,
    }),
  });
  for (const module of modules) {
    for (const route of module.http ?? []) router.add(route);
  }
  return router;
}

/** Open APIs are worth a warning at every start: whoever reaches the pod can read the user directory. */
function logAuthMode(ctx: Context): void {
  const auth = ctx.config.auth;
  if (!auth) {
    ctx.logger.warn(
      "AUTHENTICATION IS OFF: every API answers anyone who can reach it. Set AUTH_ISSUER, " +
        "AUTH_AUDIENCE and AUTH_JWKS_URL or AUTH_JWKS_FILE to require bearer tokens",
    );
    return;
  }
  ctx.logger.info(
    {
      issuer: auth.issuer,
      audiences: auth.audiences,
      jwks: "url" in auth.jwks ? auth.jwks.url : auth.jwks.file,
    },
    "authentication on: API calls need a bearer token",
  );
}

interface Running {
  state: State;
  health: Health;
  grpcServer: grpc.Server;
  http: ReturnType<typeof createHttpServer>;
  modules: readonly ServiceModule[];
  /** Cancels the second release of file pages (file-pages.ts). */
  cancelRelease: () => void;
}

async function shutdown(ctx: Context, r: Running): Promise<void> {
  r.cancelRelease();
  const { shutdownDrainDelayMs, shutdownTimeoutMs } = ctx.config;
  ctx.logger.info(
    { drainDelayMs: shutdownDrainDelayMs, timeoutMs: shutdownTimeoutMs },
    "shutting down",
  );
  r.state.draining = true;
  r.health.setAll("NOT_SERVING");
  r.http.startDraining();
  if (shutdownDrainDelayMs > 0) await delay(shutdownDrainDelayMs);
  r.health.endWatches();
  await Promise.all([
    stopGrpc(ctx.logger, r.grpcServer, shutdownTimeoutMs),
    stopHttp(ctx.logger, r.http.server, shutdownTimeoutMs),
  ]);
  await closeModules(ctx, r.modules);
  ctx.logger.info("stopped");
}
