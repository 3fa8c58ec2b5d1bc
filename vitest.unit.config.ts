// Pure, fast tests: no servers, no network, no cluster.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    passWithNoTests: true,
    include: ["{operator,service,test,bench}/**/*.test.ts"],
    exclude: [
      "**/*.int.test.ts",
      "**/*.cluster.test.ts",
      "**/*.node.test.ts",
      "node_modules/**",
      "dist/**",
    ],
  },
});
