/**
 * A service logger whose JSON lines a test reads back, parsed: what the service logs, at the
 * level and in the format it would in a pod.
 */
import { Writable } from "node:stream";
import type { Config } from "../../config.js";
import { createLogger, type Logger } from "../../log.js";

export function capturedLogger(config: Pick<Config, "logFormat" | "logLevel" | "tenant">): {
  logger: Logger;
  logs: Record<string, unknown>[];
} {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString("utf8").split("\n")) {
        if (line.trim() !== "") logs.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger({ ...config, logFormat: "json" }, sink), logs };
}
