// The API server's audit log (every write, at Metadata level: see test/cluster/components.ts) as
// evidence of what the operator wrote, independent of the operator's own metrics.
import fs from "node:fs";
import { randomBytes } from "node:crypto";
import { waitUntil } from "../cluster/testing.js";
import { kubectlOk } from "./testing.js";

export interface AuditEvent {
  verb: string;
  stage: string;
  userAgent?: string;
  requestReceivedTimestamp: string;
  objectRef?: {
    resource?: string;
    subresource?: string;
    namespace?: string;
    name?: string;
    apiGroup?: string;
  };
  responseStatus?: { code?: number };
}

/** The operator announces itself like this (operator/kube/client.ts USER_AGENT). */
export const OPERATOR_USER_AGENT = /^tenant-operator /;

/** Every completed request in the log. */
export function readAudit(file: string): AuditEvent[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.includes('"ResponseComplete"'))
    .map((line) => JSON.parse(line) as AuditEvent);
}

/**
 * Makes a write of its own (a ConfigMap in `namespace`) and waits until the audit log holds it:
 * everything the API server handled before is in the log by then. Resolves its timestamp.
 */
export async function auditMarker(file: string, namespace: string): Promise<string> {
  const name = `audit-marker-${randomBytes(4).toString("hex")}`;
  await kubectlOk(["create", "configmap", name, "-n", namespace]);
  let at = "";
  await waitUntil(
    "the audit marker to reach the audit log",
    async () => {
      const found = readAudit(file).find(
        (e) => e.objectRef?.name === name && e.objectRef.namespace === namespace,
      );
      at = found?.requestReceivedTimestamp ?? "";
      return found !== undefined;
    },
    30_000,
  );
  return at;
}

/**
 * Writes the operator made (by user agent) in [from, to] on the given tenants: their Tenant
 * objects, anything in their namespaces (namespaces included), and Events about them.
 */
export function operatorWritesOn(
  events: AuditEvent[],
  tenantNames: string[],
  window: { from: Date; to: string },
): AuditEvent[] {
  const names = new Set(tenantNames);
  const namespaces = new Set(tenantNames.map((n) => `tenant-${n}`));
  const from = window.from.getTime();
  const to = Date.parse(window.to);
  const inWindow = (e: AuditEvent): boolean => {
    const at = Date.parse(e.requestReceivedTimestamp);
    return at >= from && at <= to;
  };
  const byOperator = (e: AuditEvent): boolean =>
    OPERATOR_USER_AGENT.test(e.userAgent ?? "") && !READ_VERBS.has(e.verb);
  const onTenants = (e: AuditEvent): boolean => {
    const { resource, namespace = "", name = "" } = e.objectRef ?? {};
    if (resource === "tenants") return names.has(name);
    if (resource === "namespaces") return namespaces.has(name);
    if (namespaces.has(namespace)) return true;
    // Events about a (cluster-scoped) Tenant are named <tenant>.<suffix>.
    return resource === "events" && names.has(name.split(".")[0]!);
  };
  return events.filter((e) => inWindow(e) && byOperator(e) && onTenants(e));
}

const READ_VERBS = new Set(["get", "list", "watch"]);

/** One line per audit event, for failure messages. */
export function describeAudit(events: AuditEvent[]): string {
  return events
    .map((e) => {
      const r = e.objectRef ?? {};
      const sub = r.subresource ? `/${r.subresource}` : "";
      return `${e.requestReceivedTimestamp} ${e.verb} ${r.resource}${sub} ${r.namespace ?? ""}/${r.name ?? ""} ${e.responseStatus?.code ?? ""}`;
    })
    .join("\n");
}
