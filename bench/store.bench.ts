// Store bench (npm run bench:store): prints one JSON document with, per backend,
//  - counter calls/s in strict mode (one durable reservation per call) and block mode
//    (one reservation per COUNTER_BLOCK_SIZE values), measured side by side, and their ratio;
//  - user query latency (p50/p95 ms) with USERS users in the tenant.
// Env: USERS (default 100000), BACKENDS (default "sqlite,postgres"; postgres needs Debian's
// PostgreSQL binaries, started throw-away via test/postgres).
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CounterAllocator } from "../service/counter/allocator.js";
import { type Store, openStore } from "../service/store/store.js";
import { UserDirectory } from "../service/users/directory.js";
import { type PostgresServer, findPostgresBin, startPostgres } from "../test/postgres/server.js";
import { syntheticUsers } from "./store-data.js";

const USERS = Number(process.env.USERS ?? 100_000);
const CONCURRENCY = 32;

async function callsPerSecond(calls: number, fn: () => Promise<unknown>): Promise<number> {
  let issued = 0;
  const started = performance.now();
  const worker = async (): Promise<void> => {
    while (issued++ < calls) await fn();
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return Math.round(calls / ((performance.now() - started) / 1000));
}

async function counterBench(store: Store): Promise<Record<string, number>> {
  const strict = new CounterAllocator(store.counters, { blockSize: 1 });
  const block = new CounterAllocator(store.counters, { blockSize: 100 });
  await strict.next(); // warm up connections and the row
  const strictPerSecond = await callsPerSecond(2_000, () => strict.next());
  const blockPerSecond = await callsPerSecond(100_000, () => block.next());
  return {
    strict_calls_per_s: strictPerSecond,
    block100_calls_per_s: blockPerSecond,
    block_over_strict: Number((blockPerSecond / strictPerSecond).toFixed(1)),
  };
}

async function latency(runs: number, fn: (i: number) => Promise<unknown>): Promise<object> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn(i);
    samples.push(performance.now() - started);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number): number =>
    Number(samples[Math.floor(q * (samples.length - 1))]!.toFixed(2));
  return { p50_ms: at(0.5), p95_ms: at(0.95), runs };
}

async function searchBench(store: Store): Promise<object> {
  const loadStarted = performance.now();
  const emails: string[] = [];
  for (const batch of syntheticUsers(USERS, 5_000)) {
    await store.users.insertMany(batch);
    emails.push(batch[0]!.email, batch[batch.length - 1]!.email);
  }
  await store.users.analyze();
  const loadSeconds = (performance.now() - loadStarted) / 1000;
  const users = new UserDirectory(store.users); // default cap: 1000
  return {
    users: await store.users.count(),
    load_users_per_s: Math.round(USERS / loadSeconds),
    get_by_email: await latency(200, (i) => users.getByEmail(emails[i % emails.length])),
    search_name_rare: await latency(50, () => users.searchName("quinoshfen")),
    search_name_common: await latency(50, () => users.searchName("ka")),
    search_age_one_year: await latency(50, (i) =>
      users.searchAge({ from: i % 150, to_included: i % 150 }),
    ),
    search_age_wide: await latency(20, () => users.searchAge({ from: 20, to_included: 80 })),
    list_first_1000: await latency(20, () => users.list()),
  };
}

async function benchBackend(name: string): Promise<object> {
  const dataDir = mkdtempSync(join(tmpdir(), "store-bench-"));
  let server: PostgresServer | undefined;
  try {
    if (name === "postgres") {
      if (!findPostgresBin()) return { skipped: "PostgreSQL binaries not installed" };
      server = await startPostgres();
    }
    const store = await openStore({ tenant: "bench", dataDir, databaseUrl: server?.url });
    try {
      return { counter: await counterBench(store), users: await searchBench(store) };
    } finally {
      await store.close();
    }
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: Record<string, object> = {};
for (const backend of (process.env.BACKENDS ?? "sqlite,postgres").split(",")) {
  results[backend] = await benchBackend(backend.trim());
}
console.log(
  JSON.stringify({ bench: "store", users: USERS, concurrency: CONCURRENCY, results }, null, 2),
);
