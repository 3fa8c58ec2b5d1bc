// The built operator running with exactly the Helm chart's RBAC: the chart's ServiceAccount,
// ClusterRole, Role and bindings are rendered by Helm and applied (under a release name of the
// caller's own, so files never collide), and the operator gets a kubeconfig holding only a
// token of that ServiceAccount (TokenRequest API) and the cluster's CA.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { KubeConfig } from "@kubernetes/client-node";
import yaml from "js-yaml";
import { expect } from "vitest";
import { findOne, renderChart, type Manifest } from "../chart/helm.js";
import { testCluster, uniqueName } from "../cluster/testing.js";
import { kubectl } from "../integration/tenant-validation-helpers.js";
import { startOperator, type OperatorProcess } from "./operator-process.js";

const RBAC_KINDS = new Set([
  "ServiceAccount",
  "ClusterRole",
  "ClusterRoleBinding",
  "Role",
  "RoleBinding",
]);

export interface ChartRbacOperator {
  operator: OperatorProcess;
  /** Deletes the cluster-scoped RBAC objects (the namespace holds the rest). */
  cleanUp(): Promise<void>;
}

/** A kubeconfig for the run's API server that holds nothing but `token` and the CA. */
function tokenKubeconfig(token: string): string {
  const admin = new KubeConfig();
  admin.loadFromFile(testCluster().kubeconfigPath);
  const cluster = admin.getCurrentCluster()!;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: "local", server: cluster.server, caData: cluster.caData }],
    users: [{ name: "operator", token }],
    contexts: [{ name: "operator", cluster: "local", user: "operator" }],
    currentContext: "operator",
  });
  const file = path.join(mkdtempSync(path.join(tmpdir(), "chart-rbac-")), "kubeconfig");
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

/** Starts the operator in `namespace` (which must exist) with the chart's RBAC only. */
export async function startOperatorWithChartRbac(
  namespace: string,
  tenantSelector: string,
  args: string[] = [],
): Promise<ChartRbacOperator> {
  const manifests = renderChart({ releaseName: uniqueName("rel"), namespace });
  const rbac: Manifest[] = manifests.filter((m) => RBAC_KINDS.has(m.kind));
  const applied = await kubectl(
    ["apply", "--server-side", "-f", "-"],
    rbac.map((m) => yaml.dump(m)).join("---\n"),
  );
  expect(applied.code, applied.stderr).toBe(0);
  const sa = findOne(manifests, "ServiceAccount").metadata.name;
  const token = await kubectl(["create", "token", sa, "-n", namespace, "--duration=1h"]);
  expect(token.code, token.stderr).toBe(0);
  const role = findOne(manifests, "Role") as unknown as { rules: { resourceNames?: string[] }[] };
  const leaseName = role.rules.flatMap((r) => r.resourceNames ?? [])[0]!;
  const operator = await startOperator({
    kubeconfigPath: tokenKubeconfig(token.stdout.trim()),
    tenantSelector,
    lease: { name: leaseName, namespace, identity: `${namespace}-0` },
    args,
  });
  return {
    operator,
    cleanUp: async () => {
      for (const m of rbac.filter((o) => o.kind.startsWith("Cluster"))) {
        await kubectl(["delete", m.kind, m.metadata.name, "--ignore-not-found"]);
      }
    },
  };
}
