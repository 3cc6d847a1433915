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

describe('the PostgreSQL bulk writer', () => {
  it('passes on a row the database refuses in the middle of a COPY, and the transaction leaves nothing', async () => {
    const database = await freshDatabase();
    const bulk = await createPostgresBulkWriter(database.pool);
    try {
      const insert = bulk.table<{ id: string; name: string; email: string; plan: string; created_at: string; source_at: string }>(
        'customers', ['id', 'name', 'email', 'plan', 'created_at', 'source_at'],
      );
      const rows = Array.from({ length: 5000 }, (_, i) => ({
        id: `cus_${i}`, name: `Tab\there ${i}`, email: `c${i}@example.com`, plan: 'pro', created_at: NOW, source_at: NOW,
      }));
      // The same id twice, 3,000 rows in: the primary key refuses it while the rows are streaming.
      rows[3000] = { ...rows[3000], id: 'cus_1' };
      await expect(bulk.transaction(() => insert(rows))).rejects.toMatchObject({ code: '23505' });
      expect(await bulk.hasRows('customers')).toBe(false);
      await bulk.transaction(() => insert(rows.slice(0, 10)));
      const { rows: stored } = await database.pool.query<{ name: string }>("SELECT name FROM customers WHERE id = 'cus_3'");
      expect(stored).toEqual([{ name: 'Tab\there 3' }]);
    } finally {
      await bulk.release();
      await database.drop();
    }
  });
});
