import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.ts';
import { scenario } from './support/ingest.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
beforeEach(() => {
  t = createTestApp();
});
afterEach(() => t.cleanup());

describe('npm run import', () => {
  it('feeds a generated NDJSON file through ingestion, in batches, with a summary', () => {
    // 400 customers × 11 events, shuffled deterministically so parents often come late.
    const events = Array.from({ length: 400 }, (_, i) => scenario(`c${i}`)).flat();
    const shuffled = events.map((e, i) => ({ e, k: (i * 7919) % events.length })).sort((a, b) => a.k - b.k).map(({ e }) => e);
    const lines = [...shuffled, shuffled[5]].map((e) => JSON.stringify(e));
    lines.splice(100, 0, '{broken json', '');
    const file = join(t.dbPath, '..', 'events.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);

    const result = runCli('import.ts', [file], { DATABASE_PATH: t.dbPath });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/4402 events, 4400 accepted, 1 duplicates, 1 rejected/);
    expect(result.stdout).toMatch(/line 101: not valid JSON/);
    expect(t.db.prepare('SELECT COUNT(*) FROM customers').pluck().get()).toBe(400);
    expect(t.db.prepare('SELECT COUNT(*) FROM ledger_entries').pluck().get()).toBe(1600);
    expect(t.db.prepare('SELECT SUM(balance) FROM customers').pluck().get()).toBe(400 * 980);
    expect(t.db.prepare('SELECT COUNT(*) FROM ingest_held').pluck().get()).toBe(0);
    expect(t.db.prepare("SELECT COUNT(*) FROM audit_events WHERE action = 'ingest.batch'").pluck().get()).toBe(5);
    expect(runCli('ledgerVerify.ts', [], { DATABASE_PATH: t.dbPath }).status).toBe(0);
  });

  it('explains its usage and a missing file', () => {
    expect(runCli('import.ts', [], { DATABASE_PATH: t.dbPath })).toMatchObject({ status: 1, stderr: expect.stringMatching(/Usage/) });
    expect(runCli('import.ts', ['/nope.ndjson'], { DATABASE_PATH: t.dbPath })).toMatchObject({ status: 1, stderr: expect.stringMatching(/no such file/) });
  });
});
