// Two tenants' service processes on ONE PostgreSQL database (the shared mode of
// `spec.database.mode: external`): neither can read the other's users or counter through any
// API the service has (gRPC user.UserService and counter.v1.Counter, HTTP /api/users and
// /getCounter). And the database URL's password never reaches the service's logs, whether the
// URL works or not.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { rpcClient, type RpcClient } from "../postgres/grpc-clients.js";
import { startPostgres, type PostgresServer } from "../postgres/server.js";
import {
  ServiceStartError,
  startService,
  type StartedService,
} from "../../service/server/testing/spawn.js";

vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

/** Recognisable, and only ever in DATABASE_URL. */
const PASSWORD = "Rel-Svc-Pa55w0rd-41c2";

let pg: PostgresServer;
let databaseUrl = "";
const running: StartedService[] = [];

/** The test server trusts every local connection, so any password works: the URL carries one. */
function withPassword(url: string, password = PASSWORD): string {
  const u = new URL(url);
  u.username = "postgres";
  u.password = password;
  return u.toString();
}

async function start(tenant: string, env: Record<string, string> = {}): Promise<StartedService> {
  const service = await startService({
    TENANT: tenant,
    SERVICES: "users,counter",
    DATABASE_URL: databaseUrl,
    LOG_LEVEL: "debug",
    ...env,
  });
  running.push(service);
  return service;
}

beforeAll(async () => {
  pg = await startPostgres();
  databaseUrl = withPassword(await pg.createDatabase(`isolation_${process.pid}`));
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.crash()));
  await pg?.stop();
});

describe("two tenants on one PostgreSQL database", () => {
  let acme: StartedService;
  let globex: StartedService;
  let acmeUsers: RpcClient;
  let globexUsers: RpcClient;

  beforeAll(async () => {
    [acme, globex] = await Promise.all([start("acme"), start("globex")]);
    acmeUsers = rpcClient(acme.grpcAddress, "user.proto");
    globexUsers = rpcClient(globex.grpcAddress, "user.proto");
  });

  afterAll(() => {
    acmeUsers?.close();
    globexUsers?.close();
  });

  it("never shows one tenant's users to the other through List, GetByEmail, SearchName, SearchAge or /api/users", async () => {
    const wile = { email: "wile@acme.example", age: 33, name: { first: "Wile", last: "Coyote" } };
    const created = await acmeUsers.call("Create", { user: wile });
    expect(created.status.code).toBe("SUCCESS");

    // acme sees its user through every API: the queries below can find something.
    expect((await acmeUsers.call("List")).users).toHaveLength(1);
    expect((await acmeUsers.call("GetByEmail", { email: wile.email })).user.email).toBe(wile.email);
    expect((await acmeUsers.call("SearchName", { query: "coyo" })).users).toHaveLength(1);
    const range = { ageRange: { from: 30, to_included: 40 } };
    expect((await acmeUsers.call("SearchAge", range)).users).toHaveLength(1);

    // globex, on the same database, sees none of it.
    expect((await globexUsers.call("List")).users ?? []).toEqual([]);
    const lookup = await globexUsers.call("GetByEmail", { email: wile.email });
    expect(lookup.status.code).not.toBe("SUCCESS");
    expect(lookup.user ?? null).toBeNull();
    expect((await globexUsers.call("SearchName", { query: "coyo" })).users ?? []).toEqual([]);
    expect((await globexUsers.call("SearchAge", range)).users ?? []).toEqual([]);
    for (const query of ["", "?name=coyo", "?from=30&to=40", "?name=%25"]) {
      const response = await fetch(`${globex.httpBase}/api/users${query}`);
      const body = (await response.json()) as { users?: unknown[] };
      expect(body.users ?? [], `GET /api/users${query}`).toEqual([]);
      expect(JSON.stringify(body)).not.toContain("wile");
    }

    // The same email is free in globex: uniqueness is per tenant, not a cross-tenant oracle.
    const twin = await globexUsers.call("Create", {
      user: { ...wile, name: { first: "Other", last: "Wile" } },
    });
    expect(twin.status.code).toBe("SUCCESS");
    expect((await acmeUsers.call("GetByEmail", { email: wile.email })).user.name.first).toBe(
      "Wile",
    );
  });

  it("keeps a counter per tenant: values drawn by one never advance or appear in the other's", async () => {
    const acmeValues: bigint[] = [];
    const counter = rpcClient(acme.grpcAddress, "counter.proto");
    try {
      for (let i = 0; i < 150; i++) {
        acmeValues.push(BigInt((await counter.call<{ value: string }>("Next")).value));
      }
    } finally {
      counter.close();
    }
    for (let i = 0; i < 50; i++) {
      acmeValues.push(BigInt(await (await fetch(`${acme.httpBase}/getCounter`)).text()));
    }
    // globex's first value is 1: its counter is its own, untouched by acme's 200 values.
    const globexFirst = BigInt(await (await fetch(`${globex.httpBase}/getCounter`)).text());
    expect(globexFirst).toBe(1n);
    const globexCounter = rpcClient(globex.grpcAddress, "counter.proto");
    try {
      const next = BigInt((await globexCounter.call<{ value: string }>("Next")).value);
      expect(next).toBe(2n);
    } finally {
      globexCounter.close();
    }
    expect(acmeValues[0]).toBe(1n);
    expect(new Set(acmeValues).size).toBe(200);
  });

  it("never logs the database password of a working DATABASE_URL", () => {
    for (const service of [acme, globex]) {
      expect(service.output()).toContain('"configuration"'); // the debug line with the config
      expect(service.output().includes(PASSWORD)).toBe(false);
    }
  });
});

// Concurrent: three of the four wait out the service's 30 s connect budget.
describe.concurrent("a DATABASE_URL that does not work", () => {
  it.each([
    ["a server that refuses connections", () => `postgres://app:${PASSWORD}@127.0.0.1:1/app`],
    [
      "a database that does not exist",
      () => {
        const u = new URL(databaseUrl);
        u.pathname = "/no_such_database";
        return u.toString();
      },
    ],
    ["a scheme other than postgres", () => `mysql://app:${PASSWORD}@127.0.0.1:3306/app`],
    ["a malformed URL", () => `postgres://app:${PASSWORD}@[127.0.0.1/app`],
  ])("stops the service with a message and no password in its logs: %s", async (_case, url) => {
    const failure = await startService({
      TENANT: "broken",
      SERVICES: "users,counter",
      DATABASE_URL: url(),
      LOG_LEVEL: "debug",
    }).then(
      (service) => {
        running.push(service);
        return undefined;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ServiceStartError);
    const { exitCode, output } = failure as ServiceStartError;
    expect(exitCode).not.toBe(0);
    expect(output).toMatch(/DATABASE_URL|database/i);
    expect(output.includes(PASSWORD), output).toBe(false);
  });
});
