/**
 * The service's logger: pino, JSON lines by default (LOG_FORMAT=json), human-readable via
 * pino-pretty (LOG_FORMAT=text), written synchronously so nothing is lost at exit.
 */
import { pino, type Logger } from "pino";
import pretty from "pino-pretty";
import type { Config } from "./config.js";

export type { Logger } from "pino";

/** `destination` defaults to stdout; tests pass their own stream. */
export function createLogger(
  config: Pick<Config, "logFormat" | "logLevel" | "tenant">,
  destination?: NodeJS.WritableStream,
): Logger {
  const options = { level: config.logLevel, base: { tenant: config.tenant } };
  if (config.logFormat === "text") {
    return pino(
      options,
      pretty({ destination: destination ?? 1, sync: true, colorize: false, singleLine: true }),
    );
  }
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}
