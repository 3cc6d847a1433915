import { defineConfig } from 'vitest/config';
import { repoRoot } from './paths.ts';

/**
 * Browser tests against the real server. Each file starts its own server on a
 * fresh database, so files run one after another: parallel files would only
 * compete for CPU with the browser and make timings flaky.
 */
export default defineConfig({
  root: repoRoot,
  test: {
    environment: 'node',
    include: ['tests/e2e/**/*.e2e.ts'],
    globalSetup: ['tests/e2e/globalSetup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
