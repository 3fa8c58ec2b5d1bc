/**
 * Prometheus metrics (prom-client) for both servers, in a registry of our own (so tests can run
 * several apps in one process): request counts and latency histograms per method and code.
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface Metrics {
  readonly registry: Registry;
  /** Records one finished gRPC call. */
  observeGrpc(service: string, method: string, code: string, seconds: number): void;
  /** Records one finished HTTP request; `route` is the route pattern, never the raw path. */
  observeHttp(method: string, route: string, code: number, seconds: number): void;
}

const BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const grpcLabels = ["grpc_service", "grpc_method", "grpc_code"] as const;
  const grpcHandled = new Counter({
    name: "grpc_server_handled_total",
    help: "gRPC calls completed on the server, by service, method and status code.",
    labelNames: grpcLabels,
    registers: [registry],
  });
  const grpcSeconds = new Histogram({
    name: "grpc_server_handling_seconds",
    help: "Time to answer a gRPC call, by service, method and status code.",
    labelNames: grpcLabels,
    buckets: BUCKETS,
    registers: [registry],
  });
  const httpLabels = ["method", "route", "code"] as const;
  const httpRequests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests answered, by method, route pattern and status code.",
    labelNames: httpLabels,
    registers: [registry],
  });
  const httpSeconds = new Histogram({
    name: "http_request_duration_seconds",
    help: "Time to answer an HTTP request, by method, route pattern and status code.",
    labelNames: httpLabels,
    buckets: BUCKETS,
    registers: [registry],
  });
  return {
    registry,
    observeGrpc(service, method, code, seconds) {
      const labels = { grpc_service: service, grpc_method: method, grpc_code: code };
      grpcHandled.inc(labels);
      grpcSeconds.observe(labels, seconds);
    },
    observeHttp(method, route, code, seconds) {
      const labels = { method, route, code: String(code) };
      httpRequests.inc(labels);
      httpSeconds.observe(labels, seconds);
    },
  };
}
