// The real service as separate OS processes (spawned service/main.ts) sharing one database:
// counter values are unique across processes, kill -9 and restarts; users survive a crash;
// a second process on one embedded-store DATA_DIR fails fast. Real grpc-js clients and HTTP.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { waitFor } from "../../../test/cluster/readiness.js";
import {
  BACKENDS,
  type DatabaseLocation,
  testDatabases,
} from "../../../test/postgres/databases.js";
import { rpcClient } from "../../../test/postgres/grpc-clients.js";
import { ServiceStartError, type StartedService, startService } from "../testing/spawn.js";

// Each test starts several service processes (tsx start-up): generous
// bounds for a loaded 2-core CI machine. Behaviour is asserted, never time.
vi.setConfig({ testTimeout: 240_000 });

const running: StartedService[] = [];

async function start(where: DatabaseLocation, tenant = "acme"): Promise<StartedService> {
  const service = await startService({
    TENANT: tenant,
    SERVICES: "users,counter",
    DATA_DIR: where.dataDir,
    DATABASE_URL: where.databaseUrl,
    COUNTER_BLOCK_SIZE: "50",
  });
  running.push(service);
  return service;
}

/**
 * Draws `calls` counter values from one process, all in flight at once: half via gRPC
 * counter.v1.Counter/Next, half via HTTP /getCounter (at most 50 requests open). Calls that
 * fail (the process was killed) are left out. `onValue` sees each value as it arrives.
 */
async function draw(
  service: StartedService,
  calls: number,
  onValue: (n: number) => void = () => {},
) {
  const counter = rpcClient(service.grpcAddress, "counter.proto");
  let received = 0;
  const got = (value: string): bigint => {
    onValue(++received);
    return BigInt(value);
  };
  const viaGrpc = Array.from({ length: calls / 2 }, async () =>
    got((await counter.call<{ value: string }>("Next")).value),
  );
  let httpLeft = calls / 2;
  const httpWorker = async (): Promise<bigint[]> => {
    const values: bigint[] = [];
    try {
      while (httpLeft-- > 0) {
        const response = await fetch(`${service.httpBase}/getCounter`);
        if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
        values.push(got(await response.text()));
      }
    } catch {
      // the process was killed: keep what this worker received
    }
    return values;
  };
  const viaHttp = Array.from({ length: 50 }, httpWorker);
  const settled = await Promise.allSettled([...viaGrpc, ...viaHttp]);
  counter.close();
  return settled.flatMap((s) => (s.status === "fulfilled" ? [s.value].flat() : []));
}

function expectAllDistinct(values: bigint[]): void {
  const seen = new Set<bigint>();
  const repeated = values.filter((v) => seen.size === seen.add(v).size);
  expect(repeated).toEqual([]);
}

afterAll(async () => {
  await Promise.all(running.map((s) => s.crash()));
});

describe.each(BACKENDS)("service processes on %s", (backend) => {
  const dbs = testDatabases(backend);
  beforeAll(() => dbs.start());
  afterAll(() => dbs.stop());

  it.runIf(backend === "postgres")(
    "two processes, 2 x 2,000 concurrent calls, then kill -9 of one mid-load: no value ever repeats",
    async () => {
      const where = await dbs.fresh();
      const [a, b] = await Promise.all([start(where), start(where)]);
      const first = (await Promise.all([draw(a, 2000), draw(b, 2000)])).flat();
      expect(first).toHaveLength(4000);
      expectAllDistinct(first);

      const all = [...first];
      const midLoad = await Promise.all([
        draw(a, 2000, (n) => n === 300 && void a.crash()),
        draw(b, 2000),
      ]);
      all.push(...midLoad.flat());
      expect(midLoad[0].length).toBeLessThan(2000); // the crash really cut the load short
      expect(midLoad[1]).toHaveLength(2000);

      const restarted = await start(where);
      all.push(...(await Promise.all([draw(restarted, 1000), draw(b, 1000)])).flat());
      expectAllDistinct(all);
      expect(all.length).toBeGreaterThan(7000);
    },
  );

  it.runIf(backend === "postgres")(
    "two replicas: one answers reads from memory, and finds the user the other just created",
    async () => {
      const where = await dbs.fresh();
      const [a, b] = await Promise.all([start(where), start(where)]);
      const metric = async (name: string): Promise<number> => {
        const text = await (await fetch(`${b.httpBase}/metrics`)).text();
        const line = text.split("\n").find((l) => l.startsWith(`${name} `));
        return Number(line?.split(" ")[1] ?? Number.NaN);
      };
      const viaA = rpcClient(a.grpcAddress, "user.proto");
      const viaB = rpcClient(b.grpcAddress, "user.proto");
      const lookUp = async (): Promise<string> =>
        (await viaB.call<{ status: { code: string } }>("GetByEmail", { email: "ada@example.com" }))
          .status.code;
      try {
        await waitFor(
          "replica b's read cache is live",
          async () => (await metric("users_read_cache_live")) === 1,
          30_000,
        );
        expect(await lookUp()).toBe("FAILED"); // no such user yet: this answer is kept...
        expect(await lookUp()).toBe("FAILED");
        expect(await metric("users_read_cache_hits_total")).toBeGreaterThanOrEqual(1); // ...and served

        const created = await viaA.call("Create", {
          user: { email: "ada@example.com", age: 36, name: { first: "Ada", last: "Lovelace" } },
        });
        expect(created.status.code).toBe("SUCCESS");
        await waitFor(
          "replica b finds the user replica a created",
          async () => (await lookUp()) === "SUCCESS",
          10_000,
        );
        // Through its notification, which carried the user: applied, not a reason to empty.
        expect(await metric("users_read_cache_inserts_applied_total")).toBe(1);
      } finally {
        viaA.close();
        viaB.close();
      }
    },
  );

  it("keeps users and never repeats counter values when its process is killed with -9", async () => {
    const where = await dbs.fresh();
    const before = await start(where);
    const users = rpcClient(before.grpcAddress, "user.proto");
    const created = await users.call("Create", {
      user: { email: "grace@example.com", age: 40, name: { first: "Grace", last: "Hopper" } },
    });
    users.close();
    expect(created.status.code).toBe("SUCCESS");
    const values = await draw(before, 1000, (n) => n === 400 && void before.crash());
    expect(values.length).toBeLessThan(1000);

    const after = await start(where); // embedded store: takes over the dead process's lock at once
    values.push(...(await draw(after, 1000)));
    expectAllDistinct(values);
    const again = rpcClient(after.grpcAddress, "user.proto");
    try {
      const found = await again.call("GetByEmail", { email: "grace@example.com" });
      expect(found.user).toEqual(created.user);
    } finally {
      again.close();
    }
    expect(await after.stop()).toBe(0);
  });

  it.runIf(backend === "sqlite")(
    "refuses a second process on the same DATA_DIR at once, with a clear message",
    async () => {
      const where = await dbs.fresh();
      const owner = await start(where);
      const second = await start(where).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(second).toBeInstanceOf(ServiceStartError);
      const failure = second as ServiceStartError;
      expect(failure.exitCode).toBe(1);
      expect(failure.output).toContain(`is in use by process ${owner.pid}`);
      expect(failure.output).toContain("the embedded store allows one process per data directory");
      // The owner is unharmed.
      expect(await (await fetch(`${owner.httpBase}/getCounter`)).text()).toMatch(/^\d+$/);
    },
  );
});
