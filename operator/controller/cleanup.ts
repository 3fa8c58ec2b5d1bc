/**
 * What the finalizer guards: the clean-up owner references cannot do, run while the Tenant is
 * being deleted. Idempotent and never blocked by a missing child (404 counts as done).
 * - deletionPolicy Delete: delete the tenant Namespace now (everything in it goes with it; the
 *   garbage collector would get there too through the ownerReference, this just does not wait).
 * - deletionPolicy Retain: the Namespace and the data PVC lose their ownerReference to this
 *   Tenant (JSON patch that tests the list it replaces), so the garbage collector keeps them;
 *   their tenant labels stay, so a new Tenant of the same name adopts them and its data.
 */
import type { KubernetesObject } from "@kubernetes/client-node";
import type { Tenant } from "../api/types.js";
import type { Context } from "../context.js";
import { resourcePath, statusCodeOf, type JsonPatchOp } from "../kube/client.js";
import { namespaceFor } from "../tenant/children.js";
import { ownerReferencesWithout, retainedOnDeletion } from "../tenant/deletion.js";
import { Reasons } from "../tenant/reasons.js";
import { childPath, describeChild } from "./apply.js";

export async function cleanUp(ctx: Context, tenant: Tenant): Promise<void> {
  const name = tenant.metadata.name ?? "";
  const retained = retainedOnDeletion(tenant);
  if (retained.length === 0) {
    const deleted = await ctx.client.delete(
      resourcePath("v1", "namespaces", undefined, namespaceFor(name)),
    );
    if (deleted)
      void ctx.events.record(
        tenant,
        "Normal",
        Reasons.CleanedUp,
        `deleting namespace ${namespaceFor(name)}`,
        "Delete",
      );
    return;
  }
  for (const ref of retained) {
    const path = childPath({
      apiVersion: ref.apiVersion,
      kind: ref.kind,
      metadata: { name: ref.name, namespace: ref.namespace },
    });
    const obj = await ctx.client.getOptional<KubernetesObject>(path);
    if (!obj) continue;
    const keep = ownerReferencesWithout(obj, tenant.metadata.uid ?? "");
    if (!keep) continue;
    const ops: JsonPatchOp[] = [
      { op: "test", path: "/metadata/ownerReferences", value: obj.metadata?.ownerReferences ?? [] },
      keep.length > 0
        ? { op: "replace", path: "/metadata/ownerReferences", value: keep }
        : { op: "remove", path: "/metadata/ownerReferences" },
    ];
    try {
      await ctx.client.jsonPatch(path, ops);
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
      continue;
    }
    const id = describeChild({ ...obj, apiVersion: ref.apiVersion, kind: ref.kind });
    ctx.log.info({ tenant: name, child: id }, "retained child (ownership dropped)");
    void ctx.events.record(
      tenant,
      "Normal",
      Reasons.Retained,
      `kept ${id} (deletionPolicy Retain)`,
      "Delete",
    );
  }
}
