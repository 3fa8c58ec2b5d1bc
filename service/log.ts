/**
 * The service's logger: pino, JSON lines by default (LOG_FORMAT=json), human-readable via
 * pino-pretty (LOG_FORMAT=text), written synchronously so nothing is lost at exit.
 */
import { createRequire } from "node:module";
import { pino, type Logger } from "pino";
import type { Config } from "./config.js";

export type { Logger } from "pino";

/** `destination` defaults to stdout; tests pass their own stream. */
export function createLogger(
  config: Pick<Config, "logFormat" | "logLevel" | "tenant">,
  destination?: NodeJS.WritableStream,
): Logger {
  const options = { level: config.logLevel, base: { tenant: config.tenant } };
  if (config.logFormat === "text") {
    // Required only here: a tenant on JSON logs (the default) never loads pino-pretty's code.
    const pretty = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
    return pino(
      options,
      pretty({ destination: destination ?? 1, sync: true, colorize: false, singleLine: true }),
    );
  }
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}
