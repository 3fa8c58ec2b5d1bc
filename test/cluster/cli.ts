// `npm run cluster:build | cluster:up | cluster:down`: build the cached control-plane
// binaries, start a local cluster in the background, stop it.
import path from "node:path";
import { Command } from "commander";
import { ensureBinaries } from "./build.js";
import {
  DEFAULT_DIR,
  attachCluster,
  isClusterHealthy,
  startCluster,
  stopCluster,
} from "./cluster.js";
import { ensureEdgeBinaries } from "./edge/build.js";
import { printEdgeUsage } from "./edge/usage.js";
import { KUBERNETES_VERSION, defaultBinDir } from "./manifest.js";

const log = (line: string): void => console.log(line);

function printUsage(dir: string): void {
  const cluster = attachCluster(dir);
  const kubectl = path.join(cluster.binDir, "kubectl");
  const rel = path.relative(process.cwd(), cluster.kubeconfigPath) || cluster.kubeconfigPath;
  console.log(
    [
      "",
      `Local Kubernetes ${KUBERNETES_VERSION} control plane is up at ${cluster.server}`,
      `  kubeconfig: ${cluster.kubeconfigPath}`,
      `  audit log:  ${cluster.auditLogPath}`,
      `  logs:       ${cluster.logsDir}/`,
      "Use it with:",
      `  ${kubectl} --kubeconfig ${rel} get nodes`,
      `  export KUBECONFIG=${cluster.kubeconfigPath}`,
      `Stop it with: npm run cluster:down${dir === DEFAULT_DIR ? "" : ` -- --dir ${dir}`}`,
    ].join("\n"),
  );
}

const program = new Command("cluster").description(
  "local Kubernetes control plane for tests and the demo",
);

program
  .command("build")
  .description(
    "build the control-plane and edge binaries into the cache (no-op when they are current)",
  )
  .action(async () => {
    const started = Date.now();
    const binDir = await ensureBinaries({ binDir: defaultBinDir(), log });
    await ensureEdgeBinaries(binDir, log);
    log(
      `[cluster:build] binaries ready in ${binDir} (${((Date.now() - started) / 1000).toFixed(1)}s)`,
    );
  });

program
  .command("up")
  .description("start a cluster in the background (reuses a healthy one in the same directory)")
  .option("--dir <dir>", "state directory", DEFAULT_DIR)
  .option("--nodes <n>", "number of kwok nodes", "3")
  .option("--no-real-node", "only kwok nodes (the real node runs once per machine)")
  .option("--no-edge", "without the edge (DNS server, cert-manager, external-dns, Traefik)")
  .action(async (opts: { dir: string; nodes: string; realNode: boolean; edge: boolean }) => {
    const dir = path.resolve(opts.dir);
    const nodes = Number(opts.nodes);
    if (!Number.isInteger(nodes) || nodes < 1 || nodes > 100) {
      throw new Error(`--nodes must be an integer from 1 to 100, got ${opts.nodes}`);
    }
    if (await isClusterHealthy(dir)) {
      log(`[cluster] a healthy cluster is already running in ${dir}; reusing it`);
    } else {
      const started = Date.now();
      // Ctrl-C while starting: stop what was started instead of leaving daemons behind.
      process.once("SIGINT", () => {
        log("[cluster] interrupted: stopping what was started");
        stopCluster(dir).then(
          () => process.exit(130),
          () => process.exit(130),
        );
      });
      await startCluster({ dir, nodes, realNode: opts.realNode, edge: opts.edge, log });
      log(`[cluster] started in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    }
    printUsage(dir);
    printEdgeUsage(dir);
  });

program
  .command("down")
  .description("stop every process of the cluster and remove its directory")
  .option("--dir <dir>", "state directory", DEFAULT_DIR)
  .action(async (opts: { dir: string }) => {
    const dir = path.resolve(opts.dir);
    const had = await stopCluster(dir);
    log(had ? `[cluster] stopped the cluster in ${dir}` : `[cluster] no cluster in ${dir}`);
  });

try {
  await program.parseAsync(process.argv);
  // client sockets (keep-alive) must not hold the process open: the daemons run detached.
  process.exit(0);
} catch (err) {
  console.error(`error: ${(err as Error).message}`);
  process.exit(1);
}
