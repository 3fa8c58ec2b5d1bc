/**
 * Per-call metrics at the cost of a few array bumps: one duration histogram per label set,
 * whose per-series count doubles as the "handled" counter. Exposed through prom-client's
 * registry, in exactly the text prom-client's own Histogram and Counter produce for the same
 * observations (call-metrics.test.ts compares the two), so metric names, labels, buckets and
 * meaning are unchanged. Why not prom-client's classes on the hot path: each observe() and
 * inc() there validates and hashes the label object and allocates a closure; at tens of
 * thousands of calls per second that was a few percent of the service's CPU per call.
 *
 * Callers look a series up once (per method, per status) and keep it; observe() never
 * allocates.
 */
import type { Metric, Registry } from "prom-client";

export class CallSeries {
  /** Per bucket (not cumulative), in the order of the bounds. */
  readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = bounds.map(() => 0);
  }

  observe(seconds: number): void {
    this.sum += seconds;
    this.count++;
    const bounds = this.bounds;
    for (let i = 0; i < bounds.length; i++) {
      if (seconds <= bounds[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

export interface CallMetricsOptions {
  registry: Registry;
  histogram: { name: string; help: string };
  counter: { name: string; help: string };
  labelNames: readonly string[];
  /** Upper bounds in seconds, ascending. */
  buckets: readonly number[];
}

/** A value line as prom-client's registry formats it (see prom-client/lib/registry.js). */
interface ValueLine {
  labels: Record<string, string | number>;
  sharedLabels?: Record<string, string>;
  value: number;
  metricName?: string;
  /** Always empty (no exemplars); present as in prom-client's lines. */
  exemplar?: null | undefined;
}

interface MetricData {
  name: string;
  help: string;
  type: "histogram" | "counter";
  values: ValueLine[];
  aggregator: "sum";
}

export class CallMetrics {
  private readonly series = new Map<string, CallSeries>();

  constructor(private readonly options: CallMetricsOptions) {
    const { registry, histogram, counter } = options;
    // The registry reads name, help, type and get()/getForPromString() (and reset() on
    // resetMetrics()): the duck type of prom-client's Metric, which has no public base class.
    registry.registerMetric(
      this.metric(counter, "counter", () => this.counterLines()) as unknown as Metric,
    );
    registry.registerMetric(
      this.metric(histogram, "histogram", () => this.histogramLines()) as unknown as Metric,
    );
  }

  /** The series of these label values (in labelNames order), created on first use. */
  get(...values: string[]): CallSeries {
    const key = values.join("\u0000");
    let found = this.series.get(key);
    if (!found) {
      const labels: Record<string, string> = {};
      this.options.labelNames.forEach((name, i) => (labels[name] = values[i] ?? ""));
      found = new CallSeries(labels, this.options.buckets);
      this.series.set(key, found);
    }
    return found;
  }

  private metric(
    about: { name: string; help: string },
    type: MetricData["type"],
    lines: () => ValueLine[],
  ) {
    const data = (): MetricData => ({ ...about, type, values: lines(), aggregator: "sum" });
    return {
      ...about,
      type,
      aggregator: "sum",
      getForPromString: async () => data(),
      // The JSON form carries the series' labels on each line, as prom-client's get() does.
      get: async () => {
        const result = data();
        result.values = result.values.map(({ sharedLabels, ...line }) => ({
          ...line,
          labels: { ...line.labels, ...sharedLabels },
        }));
        return result;
      },
      reset: () => this.series.forEach((s) => s.reset()),
    };
  }

  private counterLines(): ValueLine[] {
    return [...this.series.values()].map((s) => ({ value: s.count, labels: s.labels }));
  }

  private histogramLines(): ValueLine[] {
    const { name } = this.options.histogram;
    const bucketName = `${name}_bucket`;
    const lines: ValueLine[] = [];
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.options.buckets.forEach((le, i) => {
        cumulative += s.counts[i]!;
        lines.push({
          labels: { le },
          sharedLabels: s.labels,
          value: cumulative,
          metricName: bucketName,
          exemplar: null,
        });
      });
      const shared = { sharedLabels: s.labels, exemplar: undefined };
      lines.push(
        {
          labels: { le: "+Inf" },
          ...shared,
          value: s.count,
          metricName: bucketName,
          exemplar: null,
        },
        { labels: {}, ...shared, value: s.sum, metricName: `${name}_sum` },
        { labels: {}, ...shared, value: s.count, metricName: `${name}_count` },
      );
    }
    return lines;
  }
}
