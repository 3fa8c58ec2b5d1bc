// Shared by the tenant-validation cluster tests: kubectl against the run's cluster, and the
// Tenant CRD installed and served.
import { join, resolve } from "node:path";
import type { KubernetesObject } from "@kubernetes/client-node";
import { kubectlAt, type KubectlRun } from "../cluster/kubectl.js";
import { testCluster, waitUntil } from "../cluster/testing.js";

export const ROOT = resolve(import.meta.dirname, "../..");
export const CRD_FILE = join(ROOT, "crds/platform.tenancy.dev_tenants.yaml");

export type Run = KubectlRun;

/** Runs kubectl against the run's cluster with `input` on stdin; bounded in time. */
export function kubectl(args: string[], input?: string, timeoutMs = 30_000): Promise<Run> {
  const { kubeconfigPath, binDir } = testCluster();
  return kubectlAt(binDir, kubeconfigPath, args, input, timeoutMs);
}

/** Applies crds/ (idempotent: other files may do the same) and waits until tenants are served. */
export async function installTenantCrd(): Promise<void> {
  const applied = await kubectl(["apply", "--server-side", "--force-conflicts", "-f", CRD_FILE]);
  if (applied.code !== 0) throw new Error(`kubectl apply of the CRD failed: ${applied.stderr}`);
  const established = await kubectl([
    "wait",
    "--for=condition=Established",
    "--timeout=60s",
    "crd/tenants.platform.tenancy.dev",
  ]);
  if (established.code !== 0) throw new Error(`the CRD is not Established: ${established.stderr}`);
  // The REST endpoint can lag Established by a moment.
  await waitUntil(
    "the tenants resource to be served",
    async () => (await kubectl(["get", "tenants"])).code === 0,
  );
}

/**
 * Server-side apply of one object sent as raw JSON, as the operator's runtime sends it (field
 * manager tenant-operator). Resolves with the stored (or dry-run) object; throws with kubectl's
 * message when the API server refuses it.
 */
export async function serverSideApply(
  obj: object,
  opts: { dryRun?: boolean } = {},
): Promise<KubernetesObject> {
  const args = [
    "apply",
    "--server-side",
    "--field-manager=tenant-operator",
    "--force-conflicts",
    "-o",
    "json",
    "-f",
    "-",
  ];
  if (opts.dryRun) args.push("--dry-run=server");
  const run = await kubectl(args, JSON.stringify(obj));
  if (run.code !== 0) throw new Error(run.stderr.trim());
  return JSON.parse(run.stdout) as KubernetesObject;
}
