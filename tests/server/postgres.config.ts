import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The black-box server suite on PostgreSQL (`npm run test:pg`): the same files as `npm test`'s
 * server project, each test app on a fresh database of a private PostgreSQL cluster (or of
 * TEST_DATABASE_URL), made by tests/support/postgres.ts. The files left out below test what only
 * SQLite has; their PostgreSQL counterparts live in tests/pg.
 */
export const sqliteOnlyFiles = [
  // The SQLite storage, its file and its migrations (tests/pg has storage, openStorage and migrations tests of its own).
  'tests/server/storage.test.ts',
  'tests/server/openStorage.test.ts',
  'tests/server/migrations.test.ts',
  // SQLite's query planner (EXPLAIN QUERY PLAN).
  'tests/server/resources/queryPlans.test.ts',
  // The online backup of the SQLite file (on PostgreSQL, backups are pg_dump's: README).
  'tests/server/backupUnderLoad.test.ts',
  // The SQLite history import (tests/pg/historyImport.test.ts compares PostgreSQL's with it).
  'tests/server/importHistory.test.ts',
  // SQLite's migration 005 over credits granted before it (PostgreSQL's refuses that case: tests/pg/migrations.test.ts).
  'tests/server/deliveryOutboxMigration.test.ts',
];

export default defineConfig({
  root: join(dirname(fileURLToPath(import.meta.url)), '..', '..'),
  test: {
    name: 'server-pg',
    environment: 'node',
    include: ['tests/server/**/*.test.ts'],
    exclude: sqliteOnlyFiles,
    env: { TEST_ENGINE: 'postgres' },
    globalSetup: ['tests/support/postgres.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
