/**
 * Entry point: flags + env -> config -> Context -> Manager. Runs against KUBECONFIG (or
 * --kubeconfig, ~/.kube/config) or the in-cluster service account.
 * Exit codes: 0 after a graceful stop (SIGTERM/SIGINT), 1 on a fatal error (bad config, CRD
 * missing, leader lease lost: the pod restarts and rejoins as a standby), 0 for --help.
 */
import { CommanderError } from "commander";
import { ConfigError, parseConfig } from "./config.js";
import { createContext, createLogger } from "./context.js";
import { FatalError, Manager } from "./manager.js";

async function main(): Promise<number> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2));
  } catch (err) {
    if (err instanceof ConfigError && err.message.includes("(outputHelp)")) return 0;
    if (err instanceof CommanderError && err.exitCode === 0) return 0;
    console.error(`tenant-operator: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  const log = createLogger(config);
  let ctx;
  try {
    ctx = createContext(config, { log });
  } catch (err) {
    log.fatal(
      { err: String(err) },
      "cannot load the Kubernetes client configuration (KUBECONFIG or in-cluster)",
    );
    return 1;
  }
  let resolveExit: (code: number) => void = () => undefined;
  const exit = new Promise<number>((resolve) => (resolveExit = resolve));
  const manager = new Manager(ctx, {
    onFatal: (err) => {
      log.fatal({ err: err.message }, "fatal; exiting");
      resolveExit(1);
    },
  });
  const shutdown = (signal: string): void => {
    log.info({ signal }, "received signal");
    manager.stop().then(
      () => resolveExit(0),
      (err: unknown) => {
        log.error({ err: String(err) }, "error during shutdown");
        resolveExit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
  // SIGHUP: reconcile every tenant now (a manual full resync; writes nothing when nothing changed).
  process.on("SIGHUP", () => {
    log.info("SIGHUP: full resync");
    manager.resyncAll();
  });
  try {
    await manager.start();
    log.info({ server: ctx.client.serverUrl, ...manager.addresses() }, "tenant-operator started");
  } catch (err) {
    log.fatal({ err: err instanceof FatalError ? err.message : String(err) }, "could not start");
    await manager.stop().catch(() => undefined);
    return 1;
  }
  return exit;
}

main().then(
  (code) => {
    process.exitCode = code;
    // Give pino a moment to flush, then leave even if a socket keeps the loop alive.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
