/**
 * Runs the compute service as N worker processes sharing its two ports with node:cluster:
 * the primary accepts connections and hands them to workers round-robin (Node's default
 * SCHED_RR on Linux), for the HTTP and the gRPC port alike (grpc-js listens through
 * net.Server, which cluster shares). The service itself is unchanged: each worker runs the
 * built entry point (dist/service/main.js) with plain node, no loader hooks.
 *
 *   node --import tsx bench/service/cluster-launcher.ts <entry.js> <workers>
 *
 * Prints "ready" on stdout once every worker listens on both ports; SIGTERM stops the workers
 * (each shuts down gracefully) and then exits. A worker that dies is not replaced: the bench
 * must see a crash, not hide it.
 */
import cluster from "node:cluster";

const [entry, workersArg] = process.argv.slice(2);
const workers = Number(workersArg);
if (!entry || !Number.isInteger(workers) || workers < 1) {
  console.error("usage: cluster-launcher.ts <entry.js> <workers>");
  process.exit(2);
}

cluster.setupPrimary({ exec: entry, execArgv: [], silent: false });
const listening = new Map<number, number>();
let stopping = false;

cluster.on("listening", (worker) => {
  listening.set(worker.id, (listening.get(worker.id) ?? 0) + 1);
  const complete = [...listening.values()].filter((n) => n >= 2).length;
  if (complete === workers && listening.get(worker.id) === 2) process.stdout.write("ready\n");
});
cluster.on("exit", (worker, code, signal) => {
  if (!stopping) console.error(`worker ${worker.process.pid} died (code ${code}, ${signal})`);
  if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(stopping ? 0 : 1);
});
for (let i = 0; i < workers; i++) cluster.fork();

const stop = (): void => {
  if (stopping) return;
  stopping = true;
  for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill("SIGTERM");
  setTimeout(() => process.exit(1), 15_000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
