import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    exclude: ['node_modules/**', '.data/**', '.tools/**'],
    // Integration tests share one Temporal dev server per file and start workers, so they
    // need more time than unit tests; two cores run files two at a time.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    maxWorkers: 2,
  },
});
