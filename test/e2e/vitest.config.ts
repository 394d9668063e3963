import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // global-setup.ts stops the server: SIGTERM, then SIGKILL after a few seconds
    teardownTimeout: 30_000,
    pool: 'forks',
    fileParallelism: false,
  },
});
