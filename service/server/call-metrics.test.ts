import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { CallMetrics } from "./call-metrics.js";

const BUCKETS = [0.001, 0.01, 0.1, 1];
const LABELS = ["grpc_service", "grpc_method", "grpc_code"] as const;
const ABOUT = {
  counter: { name: "calls_total", help: "Calls, by service, method and code." },
  histogram: { name: "call_seconds", help: "Call time, by service, method and code." },
};

const OBSERVATIONS: [string[], number][] = [
  [["calc.Calc", "Add", "OK"], 0.0004],
  [["calc.Calc", "Add", "OK"], 0.001], // on a bound: counted in that bucket (le)
  [["calc.Calc", "Add", "OK"], 0.05],
  [["calc.Calc", "Add", "OUT_OF_RANGE"], 0.002],
  [["user.UserService", "List", "OK"], 7], // above every bound: only +Inf
  [["calc.Calc", "Add", "OK"], 0.3],
];

/** The same observations through prom-client's own Counter + Histogram. */
function promClientRegistry(): Registry {
  const registry = new Registry();
  const counter = new Counter({ ...ABOUT.counter, labelNames: LABELS, registers: [registry] });
  const histogram = new Histogram({
    ...ABOUT.histogram,
    labelNames: LABELS,
    buckets: BUCKETS,
    registers: [registry],
  });
  for (const [[service, method, code], seconds] of OBSERVATIONS) {
    const labels = { grpc_service: service!, grpc_method: method!, grpc_code: code! };
    counter.inc(labels);
    histogram.observe(labels, seconds);
  }
  return registry;
}

function callMetricsRegistry(): { registry: Registry; metrics: CallMetrics } {
  const registry = new Registry();
  const metrics = new CallMetrics({ registry, ...ABOUT, labelNames: LABELS, buckets: BUCKETS });
  for (const [labels, seconds] of OBSERVATIONS) metrics.get(...labels).observe(seconds);
  return { registry, metrics };
}

describe("CallMetrics", () => {
  it("exposes exactly the text prom-client's Counter and Histogram give for the same calls", async () => {
    const expected = await promClientRegistry().metrics();
    expect(expected).toContain('call_seconds_bucket{le="0.001",grpc_service="calc.Calc"');
    expect(await callMetricsRegistry().registry.metrics()).toBe(expected);
  });

  it("gives the same JSON as prom-client (labels merged into each line)", async () => {
    const expected = await promClientRegistry().getMetricsAsJSON();
    expect(await callMetricsRegistry().registry.getMetricsAsJSON()).toEqual(expected);
  });

  it("hands out one series per label set, so callers can keep it", () => {
    const { metrics } = callMetricsRegistry();
    const add = metrics.get("calc.Calc", "Add", "OK");
    expect(metrics.get("calc.Calc", "Add", "OK")).toBe(add);
    expect(add.count).toBe(4);
    expect(add.sum).toBeCloseTo(0.3514, 10);
    expect(add.counts).toEqual([2, 0, 1, 1]);
  });

  it("prints only HELP and TYPE before the first call, as prom-client does", async () => {
    const registry = new Registry();
    new CallMetrics({ registry, ...ABOUT, labelNames: LABELS, buckets: BUCKETS });
    const reference = new Registry();
    new Counter({ ...ABOUT.counter, labelNames: LABELS, registers: [reference] });
    new Histogram({
      ...ABOUT.histogram,
      labelNames: LABELS,
      buckets: BUCKETS,
      registers: [reference],
    });
    expect(await registry.metrics()).toBe(await reference.metrics());
  });

  it("zeroes every series on resetMetrics(), and keeps counting in the series callers hold", async () => {
    const { registry, metrics } = callMetricsRegistry();
    const add = metrics.get("calc.Calc", "Add", "OK");
    registry.resetMetrics();
    add.observe(0.0001);
    const text = await registry.metrics();
    expect(text).toMatch(
      /^calls_total\{grpc_service="calc.Calc",grpc_method="Add",grpc_code="OK"\} 1$/m,
    );
    expect(text).toMatch(
      /^calls_total\{grpc_service="user.UserService",grpc_method="List",grpc_code="OK"\} 0$/m,
    );
  });
});
