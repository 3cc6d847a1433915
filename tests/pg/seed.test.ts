import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresBulkWriter } from '../../db/bulk/postgresBulk.ts';
import { differencesFromSource } from '../../db/copy/sqliteToPostgres.ts';
import { createPostgresStorage } from '../../db/storage/postgresStorage.ts';
import { createAuditAppender } from '../../server/audit/auditLog.ts';
import { DatasetNotEmpty, loadDataset, type DatasetSummary } from '../../server/seed/dataset.ts';
import { ANCHOR, NOW, seededDatabase, type SeededDatabase } from '../server/seedFixtures.ts';
import { manualClock } from '../server/support/testApp.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

describe('the seed on PostgreSQL', () => {
  let sqlite: SeededDatabase;
  let target: FreshDatabase;
  let summary: DatasetSummary;
  const seedPostgres = async () => {
    const bulk = await createPostgresBulkWriter(target.pool);
    const clock = manualClock(NOW).clock;
    try {
      return await loadDataset(
        { bulk, storage: createPostgresStorage(target.pool), audit: createAuditAppender(clock), clock },
        { scale: 'small', seed: 1, anchor: ANCHOR },
      );
    } finally {
      await bulk.release();
    }
  };

  beforeAll(async () => {
    sqlite = await seededDatabase({ seed: 1 });
    target = await freshDatabase();
    summary = await seedPostgres();
  }, 120_000);
  afterAll(async () => {
    sqlite.cleanup();
    // The pool stays with the storage made above; drop() ends it.
    await target.drop();
  });

  it('loads through COPY the very rows SQLite holds for the same seed, every table, the audit chain included', async () => {
    expect(summary).toMatchObject({ customers: sqlite.summary.customers, ledgerEntries: sqlite.summary.ledgerEntries });
    expect(summary.ledgerEntries).toBeGreaterThan(1000);
    const client = await target.pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      expect(await differencesFromSource(sqlite.db, client)).toEqual([]);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });

  it('refuses a database that already holds customers', async () => {
    await expect(seedPostgres()).rejects.toThrow(DatasetNotEmpty);
  });
});
