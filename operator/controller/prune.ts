/**
 * Deletes a tenant's children that render no longer asks for (an HPA after autoscaling was
 * turned off, a DNSEndpoint after DNS was disabled). Candidates come from the label-indexed
 * caches and must be owned by this Tenant (ownerReference uid), so objects left behind by a
 * Retain'ed earlier Tenant of the same name are not touched. Never pruned while the Tenant
 * lives: the Namespace (it holds everything) and PersistentVolumeClaims (data; removed with the
 * Tenant by the garbage collector under deletionPolicy Delete).
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Tenant } from "../api/types.js";
import type { Context } from "../context.js";
import { describeError } from "../kube/client.js";
import { ApplyError } from "../tenant/errors.js";
import { Reasons } from "../tenant/reasons.js";
import { AbortedError, childPath, describeChild } from "./apply.js";
import { kindKey, type Caches } from "./caches.js";

const NEVER_PRUNED = new Set(["v1/Namespace", "v1/PersistentVolumeClaim"]);

/** The owned children of `tenant` in the caches that are not in `desired`. Pure over the caches. */
export function pruneCandidates(
  caches: Caches,
  tenant: Tenant,
  desired: KubernetesObject[],
): KubernetesObject[] {
  const wanted = new Set(desired.map((o) => `${kindKey(o)}|${describeChild(o)}`));
  const uid = tenant.metadata.uid;
  const out: KubernetesObject[] = [];
  for (const [key, informer] of caches.children) {
    if (NEVER_PRUNED.has(key)) continue;
    for (const obj of informer.byIndex(tenant.metadata.name ?? "")) {
      const withKind = {
        ...obj,
        apiVersion: obj.apiVersion ?? key.slice(0, key.lastIndexOf("/")),
        kind: obj.kind ?? key.slice(key.lastIndexOf("/") + 1),
      };
      if (wanted.has(`${kindKey(withKind)}|${describeChild(withKind)}`)) continue;
      if (!(obj.metadata?.ownerReferences ?? []).some((r) => r.uid === uid)) continue;
      if (obj.metadata?.deletionTimestamp) continue;
      out.push(withKind);
    }
  }
  return out;
}

export async function prune(
  ctx: Context,
  caches: Caches,
  tenant: Tenant,
  desired: KubernetesObject[],
  signal?: AbortSignal,
): Promise<number> {
  let deleted = 0;
  for (const obj of pruneCandidates(caches, tenant, desired)) {
    if (signal?.aborted) throw new AbortedError("stopped before pruning");
    const id = describeChild(obj);
    try {
      if (await ctx.client.delete(childPath(obj))) deleted++;
    } catch (err) {
      throw new ApplyError(`pruning ${id} failed: ${describeError(err)}`, { cause: err });
    }
    ctx.log.info({ tenant: tenant.metadata.name, child: id }, "pruned child");
    void ctx.events.record(
      tenant,
      "Normal",
      Reasons.Pruned,
      `deleted ${id} (no longer desired)`,
      "Prune",
    );
  }
  return deleted;
}
