import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The PostgreSQL suite (`npm run test:pg`): its own config, so that `npm test`
 * keeps needing nothing but Node. The globalSetup starts (or reaches, with
 * TEST_DATABASE_URL) one real server for the whole run.
 */
export default defineConfig({
  root: join(dirname(fileURLToPath(import.meta.url)), '..', '..'),
  test: {
    name: 'pg',
    environment: 'node',
    include: ['tests/pg/**/*.test.ts'],
    globalSetup: ['tests/support/postgres.ts'],
    // Tests that wait on a second connection's lock take a few seconds on two busy cores.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
