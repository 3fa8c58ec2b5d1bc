#!/usr/bin/env node
/**
 * The compute service's entry point: config from the environment (a bad value exits 2 naming
 * the variable), one Context, the app, and graceful shutdown on SIGTERM/SIGINT (exit 0; a second
 * signal exits 1 at once).
 */
import { ConfigError, loadConfig, redactedConfig, type Config } from "./config.js";
import { createLogger } from "./log.js";
import { type App, startApp } from "./server/app.js";
import { createMetrics } from "./server/metrics.js";

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`tenant compute service: ${error.message}`);
    process.exit(2);
  }
  const logger = createLogger(config);
  logger.debug({ config: redactedConfig(config) }, "configuration");
  const ctx = { config, logger, metrics: createMetrics() };
  let app: App | undefined;
  let signalled = false;
  const stop = (running: App): void => {
    running.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  // Installed before start-up, so a signal arriving while (or just after) we start is honoured.
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signalled) {
      logger.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    signalled = true;
    logger.info({ signal }, "signal received");
    if (app) stop(app);
  };
  process.on("SIGTERM", onSignal);
  process.on("SIGINT", onSignal);
  try {
    app = await startApp(ctx);
  } catch (error) {
    logger.fatal({ err: error }, "start-up failed");
    process.exit(1);
  }
  if (signalled) stop(app);
}

main().catch((error: unknown) => {
  console.error("tenant compute service: fatal:", error);
  process.exit(1);
});
