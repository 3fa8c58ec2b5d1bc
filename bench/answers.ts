/**
 * npm run -s bench:answers [-- --users N] [--seconds S] [--in-flight N] [--backends embedded,postgres]
 *
 * What answers waiting to be read cost a tenant: the largest answers the user directory can send
 * (users whose every field is at its length limit, answers/users.ts: a List of 1,000 is ~3.4 MB
 * on the wire) against typical users, in the same run, with the same calls in flight. Per case,
 * a fresh service process of ours with the image's memory settings (bench:footprint's), `users`
 * users created, then `in-flight` concurrent calls on one connection (List, SearchName,
 * SearchAge, each answering up to 1,000 users) for `seconds`. Reports the process's peak RSS
 * (the kernel's high-water mark), its RSS at the end of the calls, V8's heap used then (from the
 * service's /metrics) and the read cache's records (PostgreSQL). The sizing table of the README
 * comes from it. Prints ONE JSON document {"cases":[{"name","backend","users_size","in_flight",
 * "calls","errors","peak_mib","end_mib","v8_heap_used_mib"}],...}; progress goes to stderr.
 */
import { parseArgs } from "node:util";
import { benchUser, type UserSize } from "./answers/users.js";
import { createUsers } from "./footprint/load.js";
import { readRss } from "./footprint/rss.js";
import { imageMemoryEnv, imageNodeArgs } from "./lib/image-env.js";
import { machine } from "./lib/machine.js";
import { type Backend, ensureServiceBuilt, startOurs } from "./service/servers.js";
import { rpcClient, type RpcClient } from "../test/postgres/grpc-clients.js";

const { values: flags } = parseArgs({
  options: {
    users: { type: "string", default: "10000" },
    seconds: { type: "string", default: "30" },
    "in-flight": { type: "string", default: "64" },
    backends: { type: "string", default: "postgres,embedded" },
  },
});
const users = Number(flags.users);
const seconds = Number(flags.seconds);
const inFlight = Number(flags["in-flight"]);
const backends = flags.backends.split(",") as Backend[];
if (![users, seconds, inFlight].every((n) => Number.isInteger(n) && n > 0)) {
  console.error("bench:answers: --users, --seconds and --in-flight must be whole numbers > 0");
  process.exit(2);
}
if (!backends.every((b) => b === "embedded" || b === "postgres")) {
  console.error("bench:answers: --backends takes embedded and/or postgres");
  process.exit(2);
}
const log = (line: string): void => void process.stderr.write(`bench:answers: ${line}\n`);
const mib = (n: number): number => Math.round(n * 10) / 10;

/** One of the reads that answer many users, chosen by `i`. */
function bigRead(client: RpcClient, i: number): Promise<unknown> {
  switch (i % 3) {
    case 0:
      return client.call("List");
    case 1:
      return client.call("SearchName", {
        query: ["mael", "angstrom", "street"][Math.floor(i / 3) % 3],
      });
    default:
      return client.call("SearchAge", {
        ageRange: { from: 18 + (i % 60), to_included: 28 + (i % 60) },
      });
  }
}

/** A gauge's value from the Prometheus text (0 when absent). */
function gauge(text: string, line: RegExp): number {
  return Number(line.exec(text)?.[1] ?? 0);
}

async function measure(backend: Backend, size: UserSize) {
  const name = `${backend}, ${size} users, ${inFlight} in flight`;
  const server = await startOurs({ backend, entry: ensureServiceBuilt(), workers: 1 });
  const client = rpcClient(server.grpcAddress, "user.proto");
  try {
    log(`${name}: creating ${users} users`);
    await createUsers(server, users, (n) => benchUser(n, size));
    log(`${name}: ${seconds} s of reads`);
    const deadline = Date.now() + seconds * 1000;
    let calls = 0;
    let errors = 0;
    let next = 0;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (Date.now() < deadline) {
          try {
            await bigRead(client, next++);
            calls++;
          } catch {
            errors++;
          }
        }
      }),
    );
    const { child } = server.process;
    if (child.exitCode !== null || child.signalCode !== null) {
      const how = child.signalCode ?? `exit code ${child.exitCode}`;
      const said = server.process.stderr().slice(-2000);
      throw new Error(`${name}: the service died (${how}) during the reads; its stderr:\n${said}`);
    }
    const rss = readRss(server.process.pid);
    const metrics = await fetch(`${server.httpBase}/metrics`).then((r) => r.text());
    const result = {
      name,
      backend,
      users_size: size,
      in_flight: inFlight,
      calls,
      errors,
      peak_mib: mib(rss.hwmMib),
      end_mib: mib(rss.rssMib),
      v8_heap_used_mib: mib(gauge(metrics, /^nodejs_heap_size_used_bytes (\S+)$/m) / 2 ** 20),
      read_cache_records: gauge(metrics, /^users_read_cache_records (\S+)$/m),
    };
    log(`${name}: peak ${result.peak_mib} MiB, ${calls} calls, ${errors} errors`);
    return result;
  } finally {
    client.close();
    await server.stop();
  }
}

const cases = [];
for (const backend of backends) {
  for (const size of ["typical", "largest"] as const) cases.push(await measure(backend, size));
}
console.log(
  JSON.stringify(
    {
      bench: "answers",
      date: new Date().toISOString(),
      machine: machine(),
      ours_memory_env: imageMemoryEnv(),
      ours_node_args: imageNodeArgs(),
      users,
      seconds,
      cases,
    },
    null,
    2,
  ),
);
