/**
 * Which child changes are worth a reconcile (controller-runtime calls these predicates).
 * Every create and delete is; an update only when something the reconcile reads changed:
 * what the operator set (spec, data, labels, annotations, owners: drift), or the status of the
 * kinds whose status it reads (a Deployment's readiness, an Ingress's load balancer
 * addresses, the DNS fallback, a DNSEndpoint's observedGeneration written by external-dns, a
 * PersistentVolumeClaim's phase). A Service getting its status touched or a claim's other
 * status fields would otherwise each cost a full render and comparison: at a thousand tenants,
 * creating them took twelve reconciles per tenant where half that many could change anything
 * (a claim turning Bound is one more per embedded tenant, once).
 */
import type { KubernetesObject } from "@kubernetes/client-node";

/** Kinds whose status a reconcile reads (a DNSEndpoint's: external-dns published it, DNSReady). */
const STATUS_READ = new Set(["Deployment", "Ingress", "DNSEndpoint"]);

/** The part of an object's status a reconcile reads. */
function readStatus(kind: string | undefined, status: unknown): unknown {
  if (kind !== undefined && STATUS_READ.has(kind)) return status;
  // A claim's phase only: the Tenant names a Pending data claim (status.ts).
  if (kind === "PersistentVolumeClaim") return (status as { phase?: string } | undefined)?.phase;
  return undefined;
}

/** The parts of an object a reconcile can react to, as a comparable string. */
function relevantParts(obj: KubernetesObject): string {
  const { metadata, status, ...rest } = obj as KubernetesObject & { status?: unknown };
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = metadata ?? {};
  return JSON.stringify({ meta, rest, status: readStatus(obj.kind, status) });
}

/** True when the update from `old` to `obj` may change what a reconcile does. Pure. */
export function childUpdateMatters(
  old: KubernetesObject | undefined,
  obj: KubernetesObject,
): boolean {
  if (!old) return true;
  return relevantParts(old) !== relevantParts(obj);
}
