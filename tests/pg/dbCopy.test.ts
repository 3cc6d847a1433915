import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copySqliteToPostgres, differencesFromSource, type CopyReport } from '../../db/copy/sqliteToPostgres.ts';
import { createDemoStaff } from '../../server/seed/demoStaff.ts';
import { loadDemoCredits } from '../../server/seed/demoCredits.ts';
import { seededDatabase, NOW, type SeededDatabase } from '../server/seedFixtures.ts';
import { runCli } from '../server/support/cli.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

/** The demo database a newcomer's console starts with: the small dataset, demo staff and their credits. */
async function demoDatabase(): Promise<SeededDatabase> {
  const seeded = await seededDatabase();
  await createDemoStaff(seeded.ctx);
  await loadDemoCredits(seeded.ctx, new Date(NOW));
  return seeded;
}

const count = (source: SeededDatabase, table: string): number =>
  (source.db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('copying a SQLite database into PostgreSQL', () => {
  let source: SeededDatabase;
  let target: FreshDatabase;
  let report: CopyReport;

  beforeAll(async () => {
    source = await demoDatabase();
    target = await freshDatabase();
    const client = await target.pool.connect();
    try {
      await client.query('BEGIN');
      report = await copySqliteToPostgres(source.db, client);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  }, 120_000);
  afterAll(async () => {
    source.cleanup();
    await target.drop();
  });

  it('holds every row of every table, identical, with the ledger replayed through the triggers', async () => {
    expect(report.differences).toEqual([]);
    for (const table of ['customers', 'generations', 'ledger_entries', 'credits', 'credit_items', 'credit_events', 'audit_events', 'staff']) {
      const { rows } = await target.pool.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
      expect({ table, rows: rows[0].n }).toEqual({ table, rows: count(source, table) });
      expect(count(source, table)).toBeGreaterThan(0);
    }
    // The demo credits hold every status, so each path of the replay ran.
    const statuses = await target.pool.query<{ status: string }>('SELECT DISTINCT status FROM credits ORDER BY status');
    expect(statuses.rows.map((r) => r.status)).toEqual(['applied', 'pending_approval', 'rejected', 'voided']);
    // Balances were moved by the target's triggers, entry by entry, to the source's figures.
    const balances = await target.pool.query<{ id: string; balance: number }>('SELECT id, balance FROM customers ORDER BY id');
    const expected = source.db.prepare('SELECT id, balance FROM customers ORDER BY id').all();
    expect(balances.rows).toEqual(expected);
  });

  it('numbers new ledger entries and credit events after the copied ones', async () => {
    const next = await target.pool.query<{ ledger: number; events: number }>(
      `SELECT nextval(pg_get_serial_sequence('ledger_entries', 'seq')) AS ledger, nextval(pg_get_serial_sequence('credit_events', 'seq')) AS events`,
    );
    expect(next.rows[0].ledger).toBe((source.db.prepare('SELECT MAX(seq) AS n FROM ledger_entries').get() as { n: number }).n + 1);
    expect(next.rows[0].events).toBe((source.db.prepare('SELECT MAX(seq) AS n FROM credit_events').get() as { n: number }).n + 1);
  });

  it('finds a copy that differs from its source', async () => {
    const client = await target.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("UPDATE staff SET name = name || ' (edited)' WHERE id = (SELECT MIN(id) FROM staff)");
      await client.query("INSERT INTO throttle_counters (key, hits, reset_at) VALUES ('extra', 1, '2026-11-20T12:00:00.000Z')");
      const differences = await differencesFromSource(source.db, client);
      await client.query('ROLLBACK');
      expect(differences).toEqual([
        'staff: the same number of rows (4), not the same rows',
        `throttle_counters: ${count(source, 'throttle_counters')} rows in the source, ${count(source, 'throttle_counters') + 1} in the copy`,
      ]);
    } finally {
      client.release();
    }
  });
});

describe('npm run db:copy', () => {
  it('copies a verified SQLite file into an empty PostgreSQL database, then refuses to copy into it again', async () => {
    const seeded = await seededDatabase();
    const target = await freshDatabase({ migrated: false });
    try {
      seeded.db.close();
      const copy = runCli('dbCopy.ts', ['--from', seeded.path, '--to', target.url], {});
      expect(copy.stderr).toMatch(/Source verified: [\d,]+ ledger entries, \d+ audit events/);
      expect(copy.stdout).toMatch(/Every table matches its source row for row; ledger:verify and audit:verify pass on the copy/);
      expect(copy.status).toBe(0);
      const { rows } = await target.pool.query<{ n: number }>('SELECT COUNT(*) AS n FROM ledger_entries');
      expect(rows[0].n).toBe(seeded.summary.ledgerEntries);

      const again = runCli('dbCopy.ts', ['--from', seeded.path, '--to', target.url], {});
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/already holds staff|already holds customers/);
    } finally {
      seeded.cleanup();
      await target.drop();
    }
  }, 120_000);

  it('copies nothing from a source whose ledger does not verify', async () => {
    const seeded = await seededDatabase();
    const target = await freshDatabase({ migrated: false });
    try {
      seeded.db.prepare("UPDATE customers SET balance = balance + 1 WHERE id = (SELECT MIN(id) FROM customers)").run();
      seeded.db.close();
      const copy = runCli('dbCopy.ts', ['--from', seeded.path, '--to', target.url], {});
      expect(copy.status).toBe(1);
      expect(copy.stderr).toMatch(/The source's ledger does not verify; nothing copied/);
      const { rows } = await target.pool.query<{ present: boolean }>("SELECT to_regclass('ledger_entries') IS NOT NULL AS present");
      expect(rows[0].present).toBe(false);
    } finally {
      seeded.cleanup();
      await target.drop();
    }
  }, 120_000);

  it('says how to call it', () => {
    const bare = runCli('dbCopy.ts', [], {});
    expect(bare.status).toBe(1);
    expect(bare.stderr).toMatch(/Usage: npm run db:copy -- --from <sqlite file> --to <postgres url>/);
    const notPostgres = runCli('dbCopy.ts', ['--from', 'x.db', '--to', 'mysql://h/db'], {});
    expect(notPostgres.stderr).toMatch(/--to must be a postgres:\/\/ URL/);
  });
});
