// Tests against real servers on loopback: the compute service, PostgreSQL, the embedded SQLite store, Chromium.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    passWithNoTests: true,
    include: ["{operator,service,test,bench}/**/*.int.test.ts"],
    exclude: ["node_modules/**", "dist/**"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
