/**
 * The one Context built in main (or a test) and handed to every module: nothing below it reads
 * the environment or creates its own logger or registry.
 */
import type { Config } from "../config.js";
import type { Logger } from "../log.js";
import type { Metrics } from "./metrics.js";

export interface Context {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
}
