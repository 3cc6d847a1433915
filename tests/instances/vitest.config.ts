import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The multi-instance suite: several real server processes on one database.
 *
 *   npx vitest run --config tests/instances/vitest.config.ts                            # one SQLite file
 *   INSTANCES_ENGINE=postgres npx vitest run --config tests/instances/vitest.config.ts  # PostgreSQL
 *
 * PostgreSQL needs the globalSetup of the PostgreSQL suite (a private cluster,
 * or TEST_DATABASE_URL); SQLite needs nothing but Node, so that run can join
 * `npm test`. Files run one at a time: each starts its own processes, and two
 * busy cores are all they share.
 */
const postgres = process.env.INSTANCES_ENGINE === 'postgres';

export default defineConfig({
  root: join(dirname(fileURLToPath(import.meta.url)), '..', '..'),
  test: {
    name: 'instances',
    environment: 'node',
    include: ['tests/instances/**/*.test.ts'],
    globalSetup: postgres ? ['tests/support/postgres.ts'] : [],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
