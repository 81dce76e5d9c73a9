import { defineConfig } from "vitest/config";
import type { Reporter, TestModule } from "vitest/node";

/** Ends the run with one plain line, `tests: N passed, N failed, N skipped`, that any CI log reader understands. */
const plainSummary: Reporter = {
  onTestRunEnd(modules: ReadonlyArray<TestModule>) {
    const count = { passed: 0, failed: 0, skipped: 0, pending: 0 };
    for (const module of modules) for (const test of module.children.allTests()) count[test.result().state]++;
    console.log(`\ntests: ${count.passed} passed, ${count.failed} failed, ${count.skipped + count.pending} skipped`);
  },
};

export default defineConfig({
  test: {
    include: ["{api,cli,site,e2e,store}/test/**/*.test.ts", "hardening/**/*.test.ts", "lint/**/*.test.ts"],
    globalSetup: ["api/test/support/global-setup.ts"],
    reporters: ["default", plainSummary],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Integration suites share one workerd server; two cores do not gain from more workers.
    maxWorkers: 2,
  },
});
