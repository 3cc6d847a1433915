import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.ts';
import { scenario } from './support/ingest.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
let dir: string;
beforeEach(async () => {
  t = await createTestApp();
  dir = mkdtempSync(join(tmpdir(), 'td-import-'));
});
afterEach(async () => {
  await t.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe('npm run import', () => {
  it('feeds a generated NDJSON file through ingestion, in batches, with a summary', async () => {
    // 400 customers × 11 events, shuffled deterministically so parents often come late.
    // Through the live path, one round trip per query on PostgreSQL: some 4 s on SQLite, 25 s there, hence the timeout.
    const events = Array.from({ length: 400 }, (_, i) => scenario(`c${i}`)).flat();
    const shuffled = events.map((e, i) => ({ e, k: (i * 7919) % events.length })).sort((a, b) => a.k - b.k).map(({ e }) => e);
    const lines = [...shuffled, shuffled[5]].map((e) => JSON.stringify(e));
    lines.splice(100, 0, '{broken json', '');
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const result = runCli('import.ts', [file], t.databaseEnv);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/4402 events, 4400 accepted, 1 duplicates, 1 rejected/);
    expect(result.stdout).toMatch(/line 101: not valid JSON/);
    expect(await t.value('SELECT COUNT(*) FROM customers')).toBe(400);
    expect(await t.value('SELECT COUNT(*) FROM ledger_entries')).toBe(1600);
    expect(await t.value('SELECT SUM(balance) FROM customers')).toBe(400 * 980);
    expect(await t.value('SELECT COUNT(*) FROM ingest_held')).toBe(0);
    expect(await t.value("SELECT COUNT(*) FROM audit_events WHERE action = 'ingest.batch'")).toBe(5);
    expect(runCli('ledgerVerify.ts', [], t.databaseEnv).status).toBe(0);
  }, 90_000);

  it('explains its usage and a missing file', () => {
    expect(runCli('import.ts', [], t.databaseEnv)).toMatchObject({ status: 1, stderr: expect.stringMatching(/Usage/) });
    expect(runCli('import.ts', ['/nope.ndjson'], t.databaseEnv)).toMatchObject({ status: 1, stderr: expect.stringMatching(/no such file/) });
  });
});
