import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["{api,cli,site,e2e}/test/**/*.test.ts"],
    globalSetup: ["api/test/support/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration suites share one workerd server; two cores do not gain from more workers.
    maxWorkers: 2,
  },
});
