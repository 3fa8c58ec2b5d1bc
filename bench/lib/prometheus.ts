/**
 * Reading the Prometheus text format (what /metrics serves) just enough for the benchmarks:
 * sum the samples of one metric whose labels pass a filter. Pure; tested in prometheus.test.ts.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample in an exposition; comments and blank lines are skipped. */
export function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = LINE.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(LABEL)) {
      labels[key!] = value!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Sum of `name`'s samples whose labels satisfy `where` (all of them by default); 0 if none. */
export function sumMetric(
  text: string,
  name: string,
  where: (labels: Record<string, string>) => boolean = () => true,
): number {
  return parseSamples(text)
    .filter((s) => s.name === name && where(s.labels))
    .reduce((sum, s) => sum + s.value, 0);
}

export const WRITE_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** Write requests to the API server counted in rest_client_requests_total. */
export function writeRequests(text: string): number {
  return sumMetric(text, "rest_client_requests_total", (l) =>
    WRITE_METHODS.has((l.method ?? "").toUpperCase()),
  );
}

/** rest_client_requests_total summed by "METHOD code" (e.g. "PATCH 200"), for diagnosis. */
export function requestsByMethodAndCode(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of parseSamples(text)) {
    if (s.name !== "rest_client_requests_total") continue;
    const key = `${(s.labels.method ?? "?").toUpperCase()} ${s.labels.code ?? "?"}`;
    out[key] = (out[key] ?? 0) + s.value;
  }
  return out;
}
