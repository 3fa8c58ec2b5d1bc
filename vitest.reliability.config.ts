// The fault tests: a 100-tenant fleet on a private kwok-only cluster, killed, partitioned and
// frozen six ways. scripts/test.sh runs them beside the unit and integration suites and
// before the cluster suite, so that their load does not overlap the real node's pods while
// the cluster suite measures them.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/reliability/faults.cluster.test.ts"],
    exclude: ["node_modules/**", "dist/**"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
    maxWorkers: 1,
  },
});
