/**
 * Summing a kube-apiserver audit log (JSON lines, the local control plane's policy records
 * every write at Metadata level) into "verb resource[/subresource] code" counts for a time
 * window, leaving out the cluster's own components. Pure; tested in audit.test.ts.
 */

export interface AuditWindow {
  /** Inclusive bounds on requestReceivedTimestamp. */
  from: Date;
  to: Date;
  /** userAgent prefixes to leave out (the controller-manager, scheduler, kwok). */
  excludeAgents?: readonly string[];
}

export const CLUSTER_AGENTS: readonly string[] = [
  "kube-controller-manager",
  "kube-scheduler",
  "kwok",
  "kube-apiserver",
];

interface AuditEvent {
  stage?: string;
  verb?: string;
  userAgent?: string;
  requestReceivedTimestamp?: string;
  objectRef?: { resource?: string; subresource?: string };
  responseStatus?: { code?: number };
}

function parseEvent(line: string): AuditEvent | undefined {
  if (!line.startsWith("{")) return undefined;
  try {
    return JSON.parse(line) as AuditEvent;
  } catch {
    return undefined; // a line being written while we read
  }
}

function keyOf(event: AuditEvent): string {
  const ref = event.objectRef ?? {};
  const resource = `${ref.resource ?? "?"}${ref.subresource ? `/${ref.subresource}` : ""}`;
  return `${event.verb ?? "?"} ${resource} ${event.responseStatus?.code ?? "?"}`;
}

/** Counts of the window's completed requests by "verb resource[/subresource] code". */
export function summarizeAudit(text: string, window: AuditWindow): Record<string, number> {
  const exclude = window.excludeAgents ?? CLUSTER_AGENTS;
  const counts: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const event = parseEvent(line);
    if (event?.stage !== "ResponseComplete" || !event.requestReceivedTimestamp) continue;
    const at = new Date(event.requestReceivedTimestamp);
    if (at < window.from || at > window.to) continue;
    if (exclude.some((agent) => (event.userAgent ?? "").startsWith(agent))) continue;
    const key = keyOf(event);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return Object.fromEntries(Object.entries(counts).sort(([, a], [, b]) => b - a));
}
