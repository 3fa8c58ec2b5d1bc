// Tests against the real local Kubernetes control plane (etcd, kube-apiserver,
// controller-manager, scheduler, kwok). One cluster is started for the whole run.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    passWithNoTests: true,
    include: ["{operator,service,test}/**/*.cluster.test.ts"],
    // The fault tests run in a suite of their own, before this one: vitest.reliability.config.ts.
    exclude: ["node_modules/**", "dist/**", "test/reliability/faults.cluster.test.ts"],
    globalSetup: ["test/cluster/global-setup.ts"],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
