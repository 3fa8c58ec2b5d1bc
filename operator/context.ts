/**
 * The one Context: built once in main (or a test) and passed down. Nothing below it reads the
 * environment or creates its own client, logger or metrics.
 */
import { pino, type Logger } from "pino";
import type { KubeConfig } from "@kubernetes/client-node";
import { renderConfigOf, type OperatorConfig } from "./config.js";
import { KubeClient, loadKubeConfig } from "./kube/client.js";
import { KubeEventRecorder, type EventRecorder } from "./kube/events.js";
import { createMetrics, type Metrics } from "./metrics.js";
import type { RenderConfig } from "./tenant/render-config.js";

export interface Context {
  readonly config: OperatorConfig;
  readonly renderConfig: RenderConfig;
  readonly client: KubeClient;
  readonly events: EventRecorder;
  readonly metrics: Metrics;
  readonly log: Logger;
}

export interface ContextOverrides {
  kubeConfig?: KubeConfig;
  log?: Logger;
  metrics?: Metrics;
  events?: EventRecorder;
}

export function createLogger(config: Pick<OperatorConfig, "logLevel" | "logFormat">): Logger {
  return pino({
    name: "tenant-operator",
    level: config.logLevel,
    ...(config.logFormat === "pretty"
      ? { transport: { target: "pino-pretty", options: { colorize: true } } }
      : {}),
  });
}

/** Builds the Context from a validated config; overrides are for tests (own logger, metrics). */
export function createContext(config: OperatorConfig, overrides: ContextOverrides = {}): Context {
  const log = overrides.log ?? createLogger(config);
  const metrics = overrides.metrics ?? createMetrics({ defaults: true });
  const kc = overrides.kubeConfig ?? loadKubeConfig(config.kubeconfig);
  const client = new KubeClient(kc, metrics, config.requestTimeoutSeconds * 1000);
  const events = overrides.events ?? new KubeEventRecorder(client, log);
  return { config, renderConfig: renderConfigOf(config), client, events, metrics, log };
}
