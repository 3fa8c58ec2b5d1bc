// Clusters with a real node started and stopped by the test files themselves: the real node's
// own lifecycle, and the edge end to end (test/cluster/edge/edge.node.test.ts: bind9,
// cert-manager, external-dns and Traefik routing https to a tenant's pod on the real node). It
// runs after the cluster suite (scripts/test.sh), because only one real node can run per machine
// and the cluster suite's cluster holds it while that suite runs.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.node.test.ts"],
    exclude: ["node_modules/**", "dist/**"],
    testTimeout: 600_000,
    hookTimeout: 600_000,
    pool: "forks",
    maxWorkers: 1,
  },
});
