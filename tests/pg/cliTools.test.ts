import { describe, expect, it } from 'vitest';
import { listMigrations } from '../../db/migrate.ts';
import { postgresMigrationsDir } from '../../db/postgres/migrate.ts';
import { runCli } from '../server/support/cli.ts';
import { freshDatabase } from '../support/postgres.ts';

const count = async (pool: { query: (sql: string) => Promise<{ rows: { n: number }[] }> }, table: string): Promise<number> =>
  (await pool.query(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0].n;

describe('the command-line tools with DATABASE_URL', () => {
  it('migrate, staff, seed, import and both verifiers work on PostgreSQL, never printing the address', async () => {
    const database = await freshDatabase({ migrated: false });
    // DATABASE_PATH points nowhere: a tool that ignored DATABASE_URL would fail, not quietly use SQLite.
    const env = { DATABASE_URL: database.url, DATABASE_PATH: '/dev/null/none.db' };
    try {
      const versions = listMigrations(postgresMigrationsDir).map((m) => m.version);
      const migrate = runCli('migrate.ts', [], env);
      expect(migrate).toMatchObject({ status: 0, stdout: `the PostgreSQL database of DATABASE_URL: applied migrations ${versions.join(', ')}.\n` });
      expect(runCli('migrate.ts', [], env).stdout).toMatch(/up to date/);

      const staff = runCli('staff.ts', ['add', '--email', 'ops@example.test', '--role', 'admin', '--password-stdin'], env, 'a-long-enough-password');
      expect(staff).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Created admin ops@example.test/) });

      const seed = runCli('seed.ts', ['--scale', 'small', '--anchor', '2026-11-01'], env);
      expect(seed.status).toBe(0);
      expect(seed.stdout).toMatch(/Seeded the small dataset \(seed 1, ending 2026-11-01T00:00:00.000Z\) into the PostgreSQL database of DATABASE_URL/);
      expect(await count(database.pool, 'ledger_entries')).toBeGreaterThan(1000);

      const file = `${process.env.TMPDIR ?? '/tmp'}/td-pg-cli-${process.pid}.ndjson`;
      const { writeFileSync, rmSync } = await import('node:fs');
      writeFileSync(file, `${JSON.stringify({ id: 'evt-pg-cli-1', type: 'customer.upserted', occurred_at: '2026-11-02T00:00:00.000Z', data: { id: 'cus_pg_cli', name: 'Pat Cli', email: 'pat@example.com', plan: 'pro' } })}\n`);
      try {
        const imported = runCli('import.ts', [file], env);
        expect(imported).toMatchObject({ status: 0, stdout: expect.stringMatching(/1 events, 1 accepted, 0 duplicates, 0 rejected/) });
      } finally {
        rmSync(file, { force: true });
      }

      expect(runCli('ledgerVerify.ts', [], env)).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Ledger OK/) });
      expect(runCli('auditVerify.ts', [], env)).toMatchObject({ status: 0 });
      for (const out of [migrate, staff, seed]) expect(out.stdout + out.stderr).not.toContain(database.url);
    } finally {
      await database.drop();
    }
  }, 180_000);
});
