/**
 * Server-side apply of a tenant's desired children, writing only what differs (see drift.ts):
 * a reconcile with nothing to change sends no write request. Applies use field manager
 * "tenant-operator" with force, so fields someone else took over (kubectl scale, edit) come back.
 *
 * Cluster-scoped objects (the Namespace) are applied first, one at a time, since everything
 * else lives in them; then the namespace's policies (ResourceQuota, LimitRange), and a quota just
 * written is given a moment to be counted (see quotaInForce); then the other namespaced children
 * go out concurrently (one round trip instead of one per child). Every child that can be written
 * is attempted; the first failure in render order is thrown as a TenantError carrying a Reason
 * (errorForApiFailure: quota, a terminating namespace, an invalid object, a conflict, or
 * transient).
 * What changed is told in one Event per kind of change (created, updated, restored), not one
 * per child: at a thousand tenants, per-child Events were as many writes as the children.
 */
import { setTimeout as sleep } from "node:timers/promises";
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Tenant } from "../api/types.js";
import type { Context } from "../context.js";
import { apiFailureOf, resourcePath } from "../kube/client.js";
import { CHILD_KINDS } from "../tenant/children.js";
import { ApplyError, errorForApiFailure } from "../tenant/errors.js";
import { appliedHashOf } from "../tenant/hash.js";
import { Reasons } from "../tenant/reasons.js";
import { decideApply, mismatchedPaths, type ApplyDecision } from "./drift.js";

export interface AppliedChild {
  obj: KubernetesObject;
  decision: ApplyDecision;
}

export class AbortedError extends Error {}

/** Identity of a child for logs and the normalization memory. */
export function describeChild(obj: KubernetesObject): string {
  const ns = obj.metadata?.namespace;
  return `${obj.kind} ${ns ? `${ns}/` : ""}${obj.metadata?.name}`;
}

export function childPath(obj: KubernetesObject): string {
  const kind = CHILD_KINDS.find((k) => k.apiVersion === obj.apiVersion && k.kind === obj.kind);
  if (!kind)
    throw new ApplyError(`the operator does not know the kind ${obj.apiVersion}/${obj.kind}`, {
      terminal: true,
    });
  return resourcePath(
    obj.apiVersion!,
    kind.plural,
    kind.namespaced ? obj.metadata?.namespace : undefined,
    obj.metadata?.name,
  );
}

/**
 * Kinds that govern what may run in a tenant's namespace: in force before the children that make
 * pods. Applied beside the Deployment, a quota could reach admission after the first pod, which
 * would then run outside it (a CI run saw a tenant with `quota.pods: 0` get a Ready pod).
 */
const POLICY_KINDS: ReadonlySet<string> = new Set(["ResourceQuota", "LimitRange"]);
/** The longest a pass waits for a quota it wrote to be counted before it goes on anyway. */
const QUOTA_COUNTED_WAIT_MS = 5_000;

interface QuotaLike extends KubernetesObject {
  spec?: { hard?: Record<string, string> };
  status?: { hard?: Record<string, string> };
}

/**
 * True once the quota controller has counted every limit of a ResourceQuota: admission enforces
 * a limit only when it is in the quota's status.hard, so until then a pod gets in whatever the
 * quota says.
 */
export function quotaInForce(quota: QuotaLike): boolean {
  const status = quota.status?.hard ?? {};
  return Object.entries(quota.spec?.hard ?? {}).every(([name, value]) => status[name] === value);
}

const CHANGE_EVENTS = [
  { decision: "create", reason: Reasons.Created, verb: "created" },
  { decision: "update", reason: Reasons.Updated, verb: "updated" },
  { decision: "drift", reason: Reasons.Updated, verb: "restored (changed outside the operator)" },
] as const;

export class Applier {
  /** Paths the server normalizes, learned from our own applies, per child and desired hash. */
  private readonly normalized = new Map<string, { hash: string | undefined; paths: Set<string> }>();

  constructor(private readonly ctx: Context) {}

  /**
   * Applies every desired object that differs from its observed copy.
   * @param observedOf the cached copy of an object (undefined: absent)
   * @param signal aborted when this replica must stop writing (lost leadership, shutdown)
   */
  async applyAll(
    tenant: Tenant,
    desired: KubernetesObject[],
    observedOf: (obj: KubernetesObject) => KubernetesObject | undefined,
    signal?: AbortSignal,
  ): Promise<AppliedChild[]> {
    const pending = desired
      .map((obj) => ({ obj, decision: this.decide(obj, observedOf(obj)) }))
      .filter((c) => c.decision !== "none");
    const changed: AppliedChild[] = [];
    const failures: { index: number; err: unknown }[] = [];
    const applyOne = async (child: AppliedChild): Promise<void> => {
      try {
        await this.applyChild(tenant, child, signal);
        changed.push(child);
      } catch (err) {
        if (err instanceof AbortedError) throw err;
        failures.push({ index: pending.indexOf(child), err });
      }
    };
    try {
      const containers = pending.filter((c) => !c.obj.metadata?.namespace);
      for (const child of containers) await applyOne(child);
      if (failures.length === 0) {
        const namespaced = pending.filter((c) => c.obj.metadata?.namespace);
        const policies = namespaced.filter((c) => POLICY_KINDS.has(c.obj.kind ?? ""));
        await Promise.all(policies.map(applyOne));
        const quotas = changed.filter((c) => c.obj.kind === "ResourceQuota");
        await this.untilCounted(quotas, signal);
        await Promise.all(namespaced.filter((c) => !policies.includes(c)).map(applyOne));
      }
    } finally {
      changed.sort((a, b) => pending.indexOf(a) - pending.indexOf(b));
      this.recordChanges(tenant, changed);
    }
    const first = failures.sort((a, b) => a.index - b.index)[0];
    if (first) throw first.err;
    return changed;
  }

  /** Waits (boundedly) until the quota controller has counted each of these quotas. */
  private async untilCounted(quotas: AppliedChild[], signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + QUOTA_COUNTED_WAIT_MS;
    for (const { obj } of quotas) {
      for (;;) {
        const current = await this.ctx.client
          .getOptional<QuotaLike>(childPath(obj))
          .catch(() => undefined);
        if (!current || quotaInForce(current) || signal?.aborted) break;
        if (Date.now() > deadline) {
          this.ctx.log.warn({ child: describeChild(obj) }, "quota not counted yet; going on");
          return;
        }
        await sleep(100);
      }
    }
  }

  private decide(obj: KubernetesObject, observed: KubernetesObject | undefined): ApplyDecision {
    const learned = this.normalized.get(describeChild(obj));
    const ignored = learned && learned.hash === appliedHashOf(obj) ? learned.paths : undefined;
    return decideApply(obj, observed, ignored);
  }

  private async applyChild(
    tenant: Tenant,
    child: AppliedChild,
    signal?: AbortSignal,
  ): Promise<void> {
    const { obj, decision } = child;
    const id = describeChild(obj);
    if (signal?.aborted) throw new AbortedError("stopped before applying");
    let result: KubernetesObject;
    try {
      result = await this.ctx.client.apply(childPath(obj), obj, true);
    } catch (err) {
      const error = errorForApiFailure(`applying ${id} failed`, apiFailureOf(err));
      void this.ctx.events.record(tenant, "Warning", error.reason, error.message, "Apply");
      throw error;
    }
    this.normalized.set(id, {
      hash: appliedHashOf(obj),
      paths: new Set(mismatchedPaths(obj, result)),
    });
    this.ctx.log.info({ tenant: tenant.metadata.name, child: id, decision }, "applied child");
  }

  /** One Event per kind of change, naming the children (in render order). */
  private recordChanges(tenant: Tenant, changed: readonly AppliedChild[]): void {
    for (const { decision, reason, verb } of CHANGE_EVENTS) {
      const ids = changed.filter((c) => c.decision === decision).map((c) => describeChild(c.obj));
      if (ids.length === 0) continue;
      void this.ctx.events.record(tenant, "Normal", reason, `${verb} ${ids.join(", ")}`, "Apply");
    }
  }

  /** Forgets what was learned about a tenant's children (after its deletion). */
  forget(namespace: string): void {
    for (const id of this.normalized.keys())
      if (id.includes(` ${namespace}/`)) this.normalized.delete(id);
  }
}
