// Helpers for *.cluster.test.ts files: the run's cluster (from the global setup), a
// namespace of each file's own, and bounded polling. Each file works in its own namespace
// and labels the cluster-scoped objects it creates, so files can run in parallel.
//
//   const ns = useTestNamespace("deploy");        // created in beforeAll, deleted in afterAll
//   it("...", async () => { await apps.createNamespacedDeployment({ namespace: ns.name, ... }) });
import { randomBytes } from "node:crypto";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { afterAll, beforeAll, inject } from "vitest";
import { attachCluster, type Cluster } from "./cluster.js";
import { waitFor } from "./readiness.js";

/** What the global setup hands to the test files. */
export interface ProvidedCluster {
  kubeconfigPath: string;
  server: string;
  binDir: string;
  /** State directory: only for a cluster of this harness (absent for a foreign KUBECONFIG). */
  dir?: string;
  auditLogPath?: string;
}

declare module "vitest" {
  export interface ProvidedContext {
    cluster: ProvidedCluster;
  }
}

/** Label on everything a test creates; its value names the test file's namespace. */
export const TEST_LABEL = "tenant-operator.dev/test";

/** The cluster of this test run. */
export function testCluster(): ProvidedCluster {
  return inject("cluster");
}

/** A client-node KubeConfig for the run's cluster (admin). */
export function testKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(testCluster().kubeconfigPath);
  return kc;
}

/** A handle with restart/pause helpers; only for clusters this harness started. */
export function harnessCluster(): Cluster {
  const { dir } = testCluster();
  if (!dir) throw new Error("the run reuses a foreign KUBECONFIG: no harness cluster to act on");
  return attachCluster(dir);
}

export interface TestNamespace {
  /** The namespace name; set once beforeAll has run. */
  name: string;
  /** `{ [TEST_LABEL]: name }`: put it on cluster-scoped objects the file creates. */
  labels: Record<string, string>;
  kc: KubeConfig;
}

/** A DNS-label-safe unique name: `<prefix>-<8 hex>`. */
export function uniqueName(prefix: string): string {
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-")
    .slice(0, 50);
  return `${base}-${randomBytes(4).toString("hex")}`;
}

/**
 * Gives the calling test file a namespace of its own: created (labelled, with its default
 * ServiceAccount ready so pods can be admitted) in beforeAll, deleted in afterAll.
 */
export function useTestNamespace(prefix: string): TestNamespace {
  const ns: TestNamespace = { name: "", labels: {}, kc: new KubeConfig() };
  beforeAll(async () => {
    ns.kc = testKubeConfig();
    ns.name = uniqueName(`t-${prefix}`);
    ns.labels = { [TEST_LABEL]: ns.name };
    const core = ns.kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: ns.name, labels: ns.labels } } });
    await waitUntil(`ServiceAccount ${ns.name}/default`, async () => {
      await core.readNamespacedServiceAccount({ name: "default", namespace: ns.name });
      return true;
    });
  });
  afterAll(async () => {
    if (!ns.name) return;
    await ns.kc
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: ns.name })
      .catch(() => {}); // best effort: the run's cluster is thrown away anyway
  });
  return ns;
}

/**
 * Polls `check` until it returns true (errors count as "not yet"), at most `timeoutMs`.
 * The timeout error names `what` and carries the last error seen.
 */
export function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  return waitFor(what, check, timeoutMs);
}
