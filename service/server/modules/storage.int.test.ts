// The storage module (user.UserService, counter.v1.Counter, /getCounter) inside the real app
// on loopback, called by real grpc-js clients built from the .proto files, on both backends.
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:http2";
import { gzipSync } from "node:zlib";
import type * as protoLoader from "@grpc/proto-loader";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import {
  BACKENDS,
  type DatabaseLocation,
  testDatabases,
} from "../../../test/postgres/databases.js";
import { rpcClient } from "../../../test/postgres/grpc-clients.js";
import { startPostgres } from "../../../test/postgres/server.js";
import { loadConfig } from "../../config.js";
import { createLogger } from "../../log.js";
import { type App, startApp } from "../app.js";
import { createMetrics } from "../metrics.js";
import { storageModule } from "./storage.js";
import { loadProtos } from "../protos.js";
import { framed, sendRaw } from "../testing/raw-grpc.js";

// Some tests restart the app (store start-up) several times: bounds for a loaded machine.
vi.setConfig({ testTimeout: 180_000 });

interface Running {
  app: App;
  grpcAddress: string;
  httpBase: string;
}

async function startStorageApp(
  where: DatabaseLocation,
  env: Record<string, string> = {},
): Promise<Running> {
  const config = loadConfig({
    HOST: "127.0.0.1",
    GRPC_PORT: "0",
    HTTP_PORT: "0",
    LOG_LEVEL: "silent",
    SHUTDOWN_TIMEOUT_MS: "2000",
    SERVICES: "users,counter",
    DATA_DIR: where.dataDir,
    DATABASE_URL: where.databaseUrl,
    ...env,
  });
  const ctx = {
    config,
    logger: createLogger(config),
    metrics: createMetrics({ defaultMetrics: false }),
  };
  const app = await startApp(ctx, [storageModule]);
  return {
    app,
    grpcAddress: `127.0.0.1:${app.grpcPort}`,
    httpBase: `http://127.0.0.1:${app.httpPort}`,
  };
}

interface JsonUsers {
  status: { code: string; msg: string };
  users: { age: number; name: { first: string; last: string } }[];
}

const ada = {
  age: 36,
  name: { first: "Ada", last: "Okafor" },
  email: "ada@example.com",
  phone: "+1-555-0100",
  address: "1 Mill Way",
};

describe.each(BACKENDS)("users and counter served from %s", (backend) => {
  const dbs = testDatabases(backend);
  beforeAll(() => dbs.start());
  afterAll(() => dbs.stop());

  it("creates users over gRPC and still has them after a restart", async () => {
    const where = await dbs.fresh();
    const first = await startStorageApp(where);
    const users = rpcClient(first.grpcAddress, "user.proto");
    const created = await users.call("Create", { user: ada });
    users.close();
    await first.app.shutdown();
    expect(created.status.code).toBe("SUCCESS");

    const second = await startStorageApp(where);
    const again = rpcClient(second.grpcAddress, "user.proto");
    try {
      const found = await again.call("GetByEmail", { email: "ada@example.com" });
      expect(found).toEqual({
        status: { code: "SUCCESS", msg: expect.any(String) },
        user: created.user,
      });
      const listed = await again.call("List");
      expect(listed.users).toEqual([created.user]);
    } finally {
      again.close();
      await second.app.shutdown();
    }
  });

  it("answers duplicates with FAILED and bad input with INVALID_QUERY, both with gRPC OK", async () => {
    const running = await startStorageApp(await dbs.fresh());
    const users = rpcClient(running.grpcAddress, "user.proto");
    const old = rpcClient(running.grpcAddress, "user.proto", "old");
    try {
      await users.call("Create", { user: ada });
      const duplicate = await users.call("Create", { user: { ...ada, email: "ADA@example.com" } });
      expect(duplicate.status).toEqual({
        code: "FAILED",
        msg: "a user with email ada@example.com already exists",
      });
      const invalid = [
        await users.call("Create", { user: { ...ada, email: "" } }),
        await users.call("Create", { user: { ...ada, email: "ada@" } }),
        await users.call("Create", { user: { ...ada, email: "b@example.com", age: 151 } }),
        await users.call("SearchAge", { ageRange: { from: 40, to_included: 30 } }),
        await users.call("GetByEmail", { email: "not an email" }),
      ];
      expect(invalid.map((r) => String(r.status.code))).toEqual(Array(5).fill("INVALID_QUERY"));
      // An old client reads numbers: INVALID_QUERY = 2, FAILED = 0, SUCCESS = 4.
      expect((await old.call("Create", { user: { email: "x" } })).status.code).toBe(2);
      expect((await old.call("GetByEmail", { email: "nobody@example.com" })).status.code).toBe(0);
      const range = await old.call("SearchAge", { ageRange: { from: 30, toIncluded: 40 } });
      expect(range.status.code).toBe(4);
      expect(range.users.map((u: { email: string }) => u.email)).toEqual(["ada@example.com"]);
    } finally {
      users.close();
      old.close();
      await running.app.shutdown();
    }
  });

  it("loads the sample users when SAMPLE_USERS=true, once", async () => {
    const where = await dbs.fresh();
    for (let start = 0; start < 2; start++) {
      const running = await startStorageApp(where, { SAMPLE_USERS: "true" });
      const users = rpcClient(running.grpcAddress, "user.proto");
      try {
        const listed = await users.call("List");
        expect(listed.users).toHaveLength(30);
        const ages: number[] = listed.users.map((u: { age: number }) => u.age);
        expect([Math.min(...ages), Math.max(...ages)]).toEqual([21, 60]);
        const search = await users.call("SearchName", { query: "tanaka" });
        expect(search.users.length).toBeGreaterThan(0);
      } finally {
        users.close();
        await running.app.shutdown();
      }
    }
  });

  it("writes a List's answer byte for byte the same through the fast path and grpc-js's", async () => {
    const running = await startStorageApp(await dbs.fresh(), { SAMPLE_USERS: "true" });
    const users = rpcClient(running.grpcAddress, "user.proto");
    try {
      const listed = await users.call("List");
      // an empty ListReq, plain (the fast path) and gzip-compressed (left to grpc-js)
      const fastPath = await rawUnary(running.app.grpcPort, "/user.UserService/List", false);
      const grpcJs = await rawUnary(running.app.grpcPort, "/user.UserService/List", true);
      expect(fastPath.toString("hex")).toBe(grpcJs.toString("hex"));
      const searchResp = loadProtos(["user.proto"])["user.SearchResp"] as MessageType;
      expect(searchResp.deserialize(fastPath)).toEqual(listed);
      expect(listed.users).toHaveLength(30);
    } finally {
      users.close();
      await running.app.shutdown();
    }
  });

  it("answers GET /api/users with JSON: list, name search, age search, 400 for a bad range", async () => {
    const running = await startStorageApp(await dbs.fresh(), { SAMPLE_USERS: "true" });
    try {
      const get = async (query: string) => {
        const response = await fetch(`${running.httpBase}/api/users${query}`);
        return { status: response.status, body: (await response.json()) as JsonUsers };
      };
      const all = await get("");
      expect(all.status).toBe(200);
      expect(all.body.users).toHaveLength(30);
      const byName = await get("?name=TANAKA");
      expect(
        byName.body.users.every((u: { name: { last: string } }) => u.name.last === "Tanaka"),
      ).toBe(true);
      const byAge = await get("?from=21&to=22");
      expect(byAge.body.users.map((u: { age: number }) => u.age)).toEqual([21, 22]);
      const bad = await get("?from=50&to=40");
      expect(bad.status).toBe(400);
      expect(bad.body.status.code).toBe("INVALID_QUERY");
    } finally {
      await running.app.shutdown();
    }
  });

  it("serves /getCounter to any method as text/plain, starting at 1, shared with gRPC Next", async () => {
    const running = await startStorageApp(await dbs.fresh());
    const counter = rpcClient(running.grpcAddress, "counter.proto");
    try {
      const get = await fetch(`${running.httpBase}/getCounter`);
      expect(get.status).toBe(200);
      expect(get.headers.get("content-type")).toMatch(/^text\/plain/);
      expect(await get.text()).toBe("1");
      const post = await fetch(`${running.httpBase}/getCounter/`, { method: "POST" });
      expect(await post.text()).toBe("2");
      expect(await counter.call("Next")).toEqual({ value: "3" });
    } finally {
      counter.close();
      await running.app.shutdown();
    }
  });

  it("continues the counter after a restart without repeating a value", async () => {
    const where = await dbs.fresh();
    const seen: bigint[] = [];
    for (let start = 0; start < 3; start++) {
      const running = await startStorageApp(where, { COUNTER_BLOCK_SIZE: "10" });
      for (let i = 0; i < 5; i++) {
        seen.push(BigInt(await (await fetch(`${running.httpBase}/getCounter`)).text()));
      }
      await running.app.shutdown();
    }
    expect(new Set(seen).size).toBe(15);
    expect(seen).toEqual([...seen].sort((a, b) => (a < b ? -1 : 1)));
  });

  it.runIf(backend === "postgres")(
    "keeps two tenants on one database apart: users and counter values",
    async () => {
      const where = await dbs.fresh();
      const [a, b] = await Promise.all([
        startStorageApp(where, { TENANT: "acme" }),
        startStorageApp(where, { TENANT: "globex" }),
      ]);
      const [usersA, usersB] = [
        rpcClient(a.grpcAddress, "user.proto"),
        rpcClient(b.grpcAddress, "user.proto"),
      ];
      try {
        expect((await usersA.call("Create", { user: ada })).status.code).toBe("SUCCESS");
        expect((await usersB.call("Create", { user: ada })).status.code).toBe("SUCCESS");
        await usersB.call("Create", { user: { ...ada, email: "only-globex@example.com" } });
        expect((await usersA.call("List")).users).toHaveLength(1);
        expect(
          (await usersA.call("GetByEmail", { email: "only-globex@example.com" })).status.code,
        ).toBe("FAILED");
        expect((await usersB.call("List")).users).toHaveLength(2);
        expect(await (await fetch(`${a.httpBase}/getCounter`)).text()).toBe("1");
        expect(await (await fetch(`${b.httpBase}/getCounter`)).text()).toBe("1");
      } finally {
        usersA.close();
        usersB.close();
        await Promise.all([a.app.shutdown(), b.app.shutdown()]);
      }
    },
  );
});

describe("/getCounter while PostgreSQL is gone", () => {
  it("answers from its block while it lasts, then 503 'counter unavailable', and keeps serving", async () => {
    const server = await startPostgres();
    const where = { dataDir: mkdtempSync(join(tmpdir(), "counter-down-")) };
    let running: Running | undefined;
    try {
      running = await startStorageApp(
        { ...where, databaseUrl: await server.createDatabase("counter_down") },
        { COUNTER_BLOCK_SIZE: "2", COUNTER_MAX_BLOCK_SIZE: "2" },
      );
      const next = async () => {
        const response = await fetch(`${running!.httpBase}/getCounter`);
        return `${response.status} ${await response.text()}`;
      };
      expect(await next()).toBe("200 1"); // reserves 1..2
      await server.stop();
      expect(await next()).toBe("200 2"); // still in the block: no database needed
      expect(await next()).toBe("503 counter unavailable\n"); // the refill fails
      expect(await next()).toBe("503 counter unavailable\n"); // retried, fails again, no crash
    } finally {
      await running?.app.shutdown();
      await server.stop();
      rmSync(where.dataDir, { recursive: true, force: true });
    }
  });
});

type MessageType = protoLoader.MessageTypeDefinition<object, object>;

/**
 * One unary call over a bare HTTP/2 session with an empty request message: the answer's
 * message bytes (after the 5-byte gRPC prefix). `gzip` sends it compressed, which our fast
 * path leaves to grpc-js.
 */
async function rawUnary(port: number, path: string, gzip: boolean): Promise<Buffer> {
  const session = connect(`http://127.0.0.1:${port}`);
  try {
    const message = gzip ? gzipSync(Buffer.alloc(0)) : Buffer.alloc(0);
    const answer = await sendRaw(
      session,
      path,
      framed(message, gzip),
      gzip ? { "grpc-encoding": "gzip" } : {},
    );
    expect(answer.trailers["grpc-status"]).toBe("0");
    const body = Buffer.from(answer.body, "hex");
    expect(body[0]).toBe(0); // not compressed
    expect(body.readUInt32BE(1)).toBe(body.length - 5);
    return body.subarray(5);
  } finally {
    session.close();
  }
}
