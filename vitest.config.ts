import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["apps/*/test/**/*.test.ts", "packages/*/test/**/*.test.ts", "deploy/test/*.test.ts"],
    // Finds (or starts) the one Redis every test shares; each test file uses its own queue names.
    globalSetup: ["packages/testing/src/global-setup.ts"],
    // The face models take seconds to load on a 2-core machine; end-to-end tests start processes.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more parallel files only make the CPU-bound face engine tests slower.
    maxWorkers: 2,
  },
});
