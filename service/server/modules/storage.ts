/**
 * The stored APIs (SERVICES=users and/or counter): gRPC user.UserService, counter.v1.Counter,
 * HTTP /getCounter and GET /api/users (JSON), over ONE store (embedded SQLite in DATA_DIR, or PostgreSQL at DATABASE_URL),
 * opened and migrated before the servers listen. One module for both, because the embedded
 * store allows one opening of a data directory per process.
 */
import * as grpc from "@grpc/grpc-js";
import { CounterAllocator } from "../../counter/allocator.js";
import { counterMethods } from "../../counter/grpc.js";
import { type Store, openStore } from "../../store/store.js";
import { UserDirectory } from "../../users/directory.js";
import { userServiceMethods } from "../../users/grpc.js";
import { sampleUsers } from "../../users/sample.js";
import { toWireUsersResult } from "../../users/wire.js";
import type { Context } from "../context.js";
import type { HttpReply, HttpRoute } from "../http-router.js";
import { jsonReply } from "../http-server.js";
import { registerReadCacheMetrics } from "../read-cache-metrics.js";
import {
  type GrpcServiceSpec,
  GrpcStatusError,
  type ModuleFactory,
  type ServiceModule,
  type UnaryHandler,
} from "../module.js";

/** Storage failures (database down, timeout) become UNAVAILABLE: retryable, not a bug. */
function storageErrorsUnavailable(
  ctx: Context,
  methods: Readonly<Record<string, (request: Record<string, unknown>) => Promise<object>>>,
): Record<string, UnaryHandler> {
  const wrapped: Record<string, UnaryHandler> = {};
  for (const [name, method] of Object.entries(methods)) {
    wrapped[name] = async (request) => {
      try {
        return await method(request);
      } catch (error) {
        ctx.logger.error({ err: error, method: name }, "store: call failed");
        throw new GrpcStatusError(grpc.status.UNAVAILABLE, `store unavailable: ${String(error)}`);
      }
    };
  }
  return wrapped;
}

async function open(ctx: Context): Promise<Store> {
  const { config, logger } = ctx;
  const store = await openStore({
    tenant: config.tenant,
    dataDir: config.store.dataDir,
    databaseUrl: config.store.databaseUrl,
    lock: {
      waitMs: config.store.dataDirLockWaitMs,
      onWait: (reason) => logger.warn(reason),
      onTakeover: (reason) => logger.warn(reason),
      // Another process now writes our data directory: stop before we corrupt it.
      onLost: (reason) => {
        logger.fatal(`${reason}: exiting to protect the data`);
        process.exit(1);
      },
    },
    readCacheRecords: config.store.readCacheRecords,
    onIdleError: (error) => logger.warn({ err: error }, "store: idle PostgreSQL connection failed"),
    onChangeFeedLost: (error) =>
      logger.warn(
        { err: error },
        "store: change feed lost; reads go to PostgreSQL until it is back",
      ),
  });
  logger.info({ backend: store.backend, migrations: store.migrations }, "store ready");
  if (config.store.sampleUsers) {
    const loaded = await store.users.insertMany(sampleUsers());
    logger.info({ loaded }, "sample users loaded (existing ones kept)");
  }
  return store;
}

const counterReply = (value: bigint): HttpReply => ({
  status: 200,
  contentType: "text/plain; charset=utf-8",
  body: value.toString(), // no-store: every reply carries it (http-server.ts)
});

async function nextCounterReply(ctx: Context, counter: CounterAllocator): Promise<HttpReply> {
  try {
    return counterReply(await counter.next());
  } catch (error) {
    ctx.logger.error({ err: error }, "store: /getCounter failed");
    return { status: 503, contentType: "text/plain; charset=utf-8", body: "counter unavailable\n" };
  }
}

function counterApis(
  ctx: Context,
  counter: CounterAllocator,
): { grpc: GrpcServiceSpec; http: HttpRoute } {
  return {
    grpc: {
      name: "counter.v1.Counter",
      protoFile: "counter.proto",
      handlers: storageErrorsUnavailable(ctx, counterMethods(counter)),
    },
    http: {
      methods: "*",
      path: "/getCounter",
      // Synchronous while the block has values (most calls): no promise per request.
      handler: () => {
        const value = counter.take();
        return value !== undefined ? counterReply(value) : nextCounterReply(ctx, counter);
      },
    },
  };
}

/**
 * GET /api/users (JSON for the landing page): ?name=<substring> (SearchName), ?from=&to=
 * (SearchAge), else List; the answer is the SearchResp shape. INVALID_QUERY answers 400.
 */
function usersJsonRoute(directory: UserDirectory): HttpRoute {
  return {
    methods: ["GET"],
    path: "/api/users",
    handler: async ({ url }) => {
      const query = url.searchParams;
      const name = query.get("name");
      const result =
        name !== null
          ? await directory.searchName(name)
          : query.has("from") || query.has("to")
            ? await directory.searchAge({
                from: Number(query.get("from") ?? Number.NaN),
                to_included: Number(query.get("to") ?? Number.NaN),
              })
            : await directory.list();
      return jsonReply(
        result.status.code === "INVALID_QUERY" ? 400 : 200,
        toWireUsersResult(result),
      );
    },
  };
}

export const storageModule: ModuleFactory = {
  name: "storage",
  enabled: (config) => config.services.has("users") || config.services.has("counter"),
  create: async (ctx): Promise<ServiceModule> => {
    const store = await open(ctx);
    if (store.readCacheStats) registerReadCacheMetrics(ctx.metrics.registry, store.readCacheStats);
    const grpcSpecs: GrpcServiceSpec[] = [];
    const http: HttpRoute[] = [];
    let counter: CounterAllocator | undefined;
    if (ctx.config.services.has("users")) {
      const directory = new UserDirectory(store.users);
      grpcSpecs.push({
        name: "user.UserService",
        protoFile: "user.proto",
        handlers: storageErrorsUnavailable(ctx, userServiceMethods(directory)),
      });
      http.push(usersJsonRoute(directory));
    }
    if (ctx.config.services.has("counter")) {
      counter = new CounterAllocator(store.counters, {
        blockSize: ctx.config.store.counterBlockSize,
        maxBlockSize: ctx.config.store.counterMaxBlockSize,
      });
      const apis = counterApis(ctx, counter);
      grpcSpecs.push(apis.grpc);
      http.push(apis.http);
    }
    return {
      name: "storage",
      grpc: grpcSpecs,
      http,
      close: async () => {
        await counter
          ?.close()
          .catch((error: unknown) => ctx.logger.warn({ err: error }, "counter close"));
        await store.close();
      },
    };
  },
};
