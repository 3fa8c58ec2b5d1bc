/**
 * Prometheus metrics for both servers, in a registry of our own (so tests can run several apps
 * in one process): request counts and latency histograms per method and code. The per-call
 * recording is call-metrics.ts (no allocation per call); the registry, its text format and the
 * default process metrics are prom-client's.
 */
import { Registry, collectDefaultMetrics } from "prom-client";
import { CallMetrics, type CallSeries } from "./call-metrics.js";

/** Records one finished call of one gRPC method, by status code name ("OK", "INTERNAL"). */
export type GrpcCallRecorder = (code: string, seconds: number) => void;

export interface Metrics {
  readonly registry: Registry;
  /** The recorder of one method's calls: look it up once per method, call it per call. */
  grpcMethod(service: string, method: string): GrpcCallRecorder;
  /** Records one finished HTTP request; `route` is the route pattern, never the raw path. */
  observeHttp(method: string, route: string, code: number, seconds: number): void;
}

/**
 * How often the event-loop lag histogram (nodejs_eventloop_lag_*_seconds) samples, in ms.
 * prom-client's default, 10, is a timer firing 100 times a second: an idle tenant then spent
 * ~0.5 % of a core on its own metrics (0.13 % at 100 ms, measured 40 s idle; bench/RESULTS.md),
 * a cost paid by every tenant on a cluster. Ten samples a second still catch any stall of the
 * loop longer than a tenth of a second, and half of those of 50 ms, between two scrapes.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) {
    collectDefaultMetrics({
      register: registry,
      eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS,
    });
  }
  const grpc = new CallMetrics({
    registry,
    counter: {
      name: "grpc_server_handled_total",
      help: "gRPC calls completed on the server, by service, method and status code.",
    },
    histogram: {
      name: "grpc_server_handling_seconds",
      help: "Time to answer a gRPC call, by service, method and status code.",
    },
    labelNames: ["grpc_service", "grpc_method", "grpc_code"],
    buckets: BUCKETS,
  });
  const http = new CallMetrics({
    registry,
    counter: {
      name: "http_requests_total",
      help: "HTTP requests answered, by method, route pattern and status code.",
    },
    histogram: {
      name: "http_request_duration_seconds",
      help: "Time to answer an HTTP request, by method, route pattern and status code.",
    },
    labelNames: ["method", "route", "code"],
    buckets: BUCKETS,
  });
  const httpSeries = new Map<string, Map<string, Map<number, CallSeries>>>();
  return {
    registry,
    grpcMethod(service, method) {
      const byCode = new Map<string, CallSeries>();
      return (code, seconds) => {
        let series = byCode.get(code);
        if (!series) byCode.set(code, (series = grpc.get(service, method, code)));
        series.observe(seconds);
      };
    },
    observeHttp(method, route, code, seconds) {
      // route -> method -> code: three lookups of the same few strings, no key built per call
      let byMethod = httpSeries.get(route);
      if (!byMethod) httpSeries.set(route, (byMethod = new Map<string, Map<number, CallSeries>>()));
      let byCode = byMethod.get(method);
      if (!byCode) byMethod.set(method, (byCode = new Map<number, CallSeries>()));
      let series = byCode.get(code);
      if (!series) byCode.set(code, (series = http.get(method, route, String(code))));
      series.observe(seconds);
    },
  };
}
