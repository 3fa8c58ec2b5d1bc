/**
 * Server-side apply of a tenant's desired children, writing only what differs (see drift.ts):
 * a reconcile with nothing to change sends no write request. Applies use field manager
 * "tenant-operator" with force, so fields someone else took over (kubectl scale, edit) come back.
 * Objects are applied in render order (Namespace first); the first failure stops the pass and
 * is thrown as an ApplyError carrying a Reason (terminal for 4xx answers that a retry cannot fix).
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Tenant } from "../api/types.js";
import type { Context } from "../context.js";
import { describeError, resourcePath, statusCodeOf } from "../kube/client.js";
import { CHILD_KINDS } from "../tenant/children.js";
import { ApplyError } from "../tenant/errors.js";
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
    const changed: AppliedChild[] = [];
    for (const obj of desired) {
      const id = describeChild(obj);
      const learned = this.normalized.get(id);
      const ignored = learned && learned.hash === appliedHashOf(obj) ? learned.paths : undefined;
      const decision = decideApply(obj, observedOf(obj), ignored);
      if (decision === "none") continue;
      if (signal?.aborted) throw new AbortedError("stopped before applying");
      let result: KubernetesObject;
      try {
        result = await this.ctx.client.apply(childPath(obj), obj, true);
      } catch (err) {
        const code = statusCodeOf(err);
        const terminal =
          code !== undefined && code >= 400 && code < 500 && ![404, 408, 409, 429].includes(code);
        const message = `applying ${id} failed: ${describeError(err)}`;
        void this.ctx.events.record(tenant, "Warning", Reasons.ApplyFailed, message, "Apply");
        throw new ApplyError(message, {
          cause: err,
          terminal,
          reason: code === 409 ? Reasons.Conflict : Reasons.ApplyFailed,
        });
      }
      this.normalized.set(id, {
        hash: appliedHashOf(obj),
        paths: new Set(mismatchedPaths(obj, result)),
      });
      changed.push({ obj, decision });
      this.ctx.log.info({ tenant: tenant.metadata.name, child: id, decision }, "applied child");
      const reason = decision === "create" ? Reasons.Created : Reasons.Updated;
      const note =
        decision === "drift"
          ? `restored ${id} (changed outside the operator)`
          : `${decision === "create" ? "created" : "updated"} ${id}`;
      void this.ctx.events.record(tenant, "Normal", reason, note, "Apply");
    }
    return changed;
  }

  /** Forgets what was learned about a tenant's children (after its deletion). */
  forget(namespace: string): void {
    for (const id of this.normalized.keys())
      if (id.includes(` ${namespace}/`)) this.normalized.delete(id);
  }
}
