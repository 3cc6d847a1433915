import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { migrate } from '../../db/migrate.ts';
import { createHistoryImportRepository } from '../../db/repositories/historyImportRepository.ts';
import type { NewLedgerEntry } from '../../db/repositories/ledgerRepository.ts';
import { runCli } from './support/cli.ts';
import { creditOps } from './support/creditOps.ts';
import { scenario, type StudioEvent } from './support/ingest.ts';
import { buildStaff, createTestApp, sqliteOf } from './support/testApp.ts';

const root = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'td-history-'));
  dirs.push(dir);
  return dir;
};
const newDatabase = (): string => join(tempDir(), 'history.db');

/** `customers` studio stories (ingest support's scenario: 11 events, 4 ledger entries each), in time order across customers. */
function history(customers: number, prefix = 'h'): StudioEvent[] {
  const events = Array.from({ length: customers }, (_, i) => scenario(`${prefix}${i}`)).flat();
  return events.map((e, i) => ({ e, i })).sort((a, b) => a.e.occurred_at.localeCompare(b.e.occurred_at) || a.i - b.i).map(({ e }) => e);
}

/** The same lines in a deterministic random order: children before parents, refunds before charges. */
function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const out = [...items];
  let state = seed;
  const next = (): number => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const writeLines = (lines: readonly string[], name = 'history.ndjson'): string => {
  const file = join(tempDir(), name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};
const asLines = (events: readonly StudioEvent[]): string[] => events.map((e) => JSON.stringify(e));

const importHistory = (file: string, dbPath: string, ...args: string[]) =>
  runCli('import.ts', [file, '--history', ...args], { DATABASE_PATH: dbPath });

/** Columns that hold the time a row was written, not what was imported. */
const wallClock: Record<string, string[]> = {
  ledger_entries: ['recorded_at'],
  ingest_events: ['received_at'],
  audit_events: ['at', 'hash', 'prev_hash'],
  import_checkpoints: ['started_at', 'updated_at', 'finished_at'],
  schema_migrations: ['applied_at'],
};

/** Every table's row count and a hash of its rows (wall-clock columns left out). */
function tableDigests(path: string, leaveOut: Record<string, string[]> = wallClock): Record<string, string> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all() as string[];
    return Object.fromEntries(
      tables.map((table) => {
        const columns = (db.prepare('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck().all(table) as string[]).filter(
          (column) => !(leaveOut[table] ?? []).includes(column),
        );
        const rows = db.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${columns.map((_, i) => i + 1).join(', ')}`).raw().all();
        return [table, `${rows.length} rows ${createHash('sha256').update(JSON.stringify(rows)).digest('hex').slice(0, 16)}`];
      }),
    );
  } finally {
    db.close();
  }
}

/** What ingestion stores, whatever the order: balance_after and seq follow the order entries were written in. */
const recordsOnly: Record<string, string[]> = {
  ...wallClock,
  ledger_entries: ['seq', 'recorded_at', 'balance_after'],
};
const records = (path: string): Record<string, string> => {
  const all = tableDigests(path, recordsOnly);
  return Object.fromEntries(['customers', 'chats', 'generations', 'assets', 'ledger_entries', 'ingest_events', 'ingest_held'].map((t) => [t, all[t]]));
};

const query = <T>(path: string, sql: string): T[] => {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(sql).all() as T[];
  } finally {
    db.close();
  }
};

describe('npm run import -- FILE --history', () => {
  it('reports every rejected line with its number and reason, loads the rest, and writes nothing of a rejected event', () => {
    const events = history(3);
    const at = events[0].occurred_at;
    const lines = asLines(events);
    const bad = [
      '{broken json',
      JSON.stringify({ id: 'x-no-type', occurred_at: at, data: {} }),
      JSON.stringify({ id: 'x-neg', type: 'tokens.purchased', occurred_at: at, data: { transaction_id: 'x-t-neg', customer_id: 'h0-cus', amount: -5, created_at: at } }),
      // A refund of another amount than its charge (150).
      JSON.stringify({ id: 'x-refund', type: 'tokens.refunded', occurred_at: at, data: { transaction_id: 'x-t-r', customer_id: 'h1-cus', charge_transaction_id: 'h1-t-c2', amount: 100, created_at: at } }),
      // A second charge of a run that has one.
      JSON.stringify({ id: 'x-charge', type: 'tokens.charged', occurred_at: at, data: { transaction_id: 'x-t-c', customer_id: 'h2-cus', generation_id: 'h2-g1', amount: 5, created_at: at } }),
      // A chat claimed by another customer.
      JSON.stringify({ id: 'x-chat', type: 'chat.created', occurred_at: at, data: { id: 'h0-chat', customer_id: 'h1-cus', created_at: at } }),
      // A run that is nowhere, neither in the database nor in the file.
      JSON.stringify({ id: 'x-orphan', type: 'tokens.charged', occurred_at: at, data: { transaction_id: 'x-t-o', customer_id: 'h0-cus', generation_id: 'nowhere', amount: 5, created_at: at } }),
      // A second refund of one charge under another id: no effect, as in ingestion.
      JSON.stringify({ id: 'x-refund-again', type: 'tokens.refunded', occurred_at: at, data: { transaction_id: 'x-t-r2', customer_id: 'h0-cus', charge_transaction_id: 'h0-t-c2', amount: 150, created_at: at } }),
    ];
    // The malformed lines first, a blank line, the history, then the lines its records contradict.
    const file = writeLines([...bad.slice(0, 3), '', ...lines, ...bad.slice(3)]);
    const dbPath = newDatabase();

    const result = importHistory(file, dbPath, '--chunk', '7');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/41 events, 33 applied, 1 duplicates, 7 rejected; 12 ledger entries/);
    const rejected = result.stdout.slice(result.stdout.indexOf('Rejected lines'));
    expect(rejected.split('\n').slice(0, 8)).toEqual([
      'Rejected lines (7):',
      '  line 1: not valid JSON',
      '  line 2 (x-no-type): type: must be one of customer.upserted, chat.created, generation.started, generation.succeeded, generation.failed, asset.created, tokens.charged, tokens.refunded, tokens.purchased, tokens.plan_granted, tokens.credit_applied, tokens.credit_voided',
      '  line 3 (x-neg): data.amount: must be positive',
      '  line 38 (x-refund): an auto-refund reverses the whole charge: 150 tokens, not 100',
      '  line 39 (x-charge): run h2-g1 is already charged by transaction h2-t-c1',
      '  line 40 (x-chat): chat h0-chat belongs to customer h0-cus, not h1-cus',
      '  line 41 (x-orphan): run nowhere is not in the database and no line of the file stores it',
    ]);
    expect(result.stdout).toMatch(/Ledger checks .* OK, 12 entries/);

    // Nothing of a rejected event, everything of the others.
    const ids = query<{ id: string }>(dbPath, "SELECT id FROM ingest_events WHERE id LIKE 'x-%' ORDER BY id").map((r) => r.id);
    expect(ids).toEqual(['x-refund-again']);
    expect(query(dbPath, "SELECT id FROM ledger_entries WHERE id LIKE 'x-%'")).toEqual([]);
    expect(query(dbPath, 'SELECT COUNT(*) AS n FROM ledger_entries')).toEqual([{ n: 12 }]);
    expect(query(dbPath, 'SELECT customer_id FROM chats WHERE id = \'h0-chat\'')).toEqual([{ customer_id: 'h0-cus' }]);
    expect(query(dbPath, 'SELECT SUM(balance) AS total FROM customers')).toEqual([{ total: 3 * 980 }]);
    expect(query(dbPath, 'SELECT COUNT(*) AS n FROM import_waiting')).toEqual([{ n: 0 }]);
    expect(runCli('ledgerVerify.ts', [], { DATABASE_PATH: dbPath }).status).toBe(0);

    // The same file again: already imported, nothing doubled.
    const again = importHistory(file, dbPath);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/Already imported on/);
    expect(query(dbPath, 'SELECT COUNT(*) AS n FROM ledger_entries')).toEqual([{ n: 12 }]);
  });

  it('splits a chunk the database refuses until it finds the line, rejects that line with the database’s words and loads the rest', () => {
    const dbPath = newDatabase();
    const db = openDatabase(dbPath);
    migrate(db);
    // Stands for any refusal the checks before the insert did not foresee.
    db.exec(`CREATE TRIGGER test_refuses_one BEFORE INSERT ON ledger_entries WHEN NEW.id = 'h7-t-c2'
      BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`);
    db.close();
    const file = writeLines(asLines(history(20)));

    const result = importHistory(file, dbPath, '--chunk', '100');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/220 events, 218 applied, 0 duplicates, 2 rejected; 78 ledger entries/);
    expect(result.stdout).toMatch(/The database refused \d+ chunk\(s\)/);
    expect(result.stdout).toMatch(/line \d+ \(h7-e9\): the database refused it: refused by the test/);
    // The refund of the refused charge then has no charge to reverse.
    expect(result.stdout).toMatch(/line \d+ \(h7-e11\): transaction h7-t-c2 is not in the database and no line of the file stores it/);
    expect(query(dbPath, "SELECT id FROM ingest_events WHERE id IN ('h7-e9', 'h7-e11')")).toEqual([]);
    expect(query(dbPath, "SELECT balance FROM customers WHERE id = 'h7-cus'")).toEqual([{ balance: 1000 - 20 }]);
    expect(query(dbPath, 'SELECT COUNT(*) AS n FROM ingest_events')).toEqual([{ n: 218 }]);
    expect(runCli('ledgerVerify.ts', [], { DATABASE_PATH: dbPath }).status).toBe(0);
  });

  it('gives the same records and balances for a shuffled file as for a sorted one, and as the live ingestion path', () => {
    const events = history(150);
    const sorted = writeLines(asLines(events), 'sorted.ndjson');
    const mixed = writeLines(shuffled(asLines(events)), 'shuffled.ndjson');
    const fromSorted = newDatabase();
    const fromShuffled = newDatabase();
    const throughIngestion = newDatabase();

    expect(importHistory(sorted, fromSorted).status).toBe(0);
    // Small chunks: most events of the shuffled file wait a chunk or more for their parent.
    const result = importHistory(mixed, fromShuffled, '--chunk', '200');
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/1,650 events, 1,650 applied, 0 duplicates, 0 rejected; 600 ledger entries/);
    expect(runCli('import.ts', [mixed], { DATABASE_PATH: throughIngestion }).status).toBe(0);

    expect(records(fromShuffled)).toEqual(records(fromSorted));
    expect(records(throughIngestion)).toEqual(records(fromSorted));
    expect(query(fromSorted, 'SELECT id, balance FROM customers ORDER BY id')).toEqual(query(fromShuffled, 'SELECT id, balance FROM customers ORDER BY id'));
    expect(query(fromShuffled, 'SELECT COUNT(*) AS n FROM import_waiting')).toEqual([{ n: 0 }]);
    for (const path of [fromSorted, fromShuffled]) expect(runCli('ledgerVerify.ts', [], { DATABASE_PATH: path }).status).toBe(0);
  });

  it('resumes after kill -9 at random points with exactly the database an uninterrupted run gives', async () => {
    const file = writeLines(shuffled(asLines(history(500)), 11));
    const chunk = ['--chunk', '250'];
    const whole = newDatabase();
    expect(importHistory(file, whole, ...chunk).status).toBe(0);

    const resumed = newDatabase();
    const kills = await importWithKills(file, resumed, chunk, 5);
    expect(kills).toBeGreaterThanOrEqual(3);
    expect(tableDigests(resumed)).toEqual(tableDigests(whole));
    expect(query(resumed, 'SELECT events, applied, rejected, ledger_rows FROM import_checkpoints')).toEqual([
      { events: 5500, applied: 5500, rejected: 0, ledger_rows: 2000 },
    ]);
  }, 60_000);

  it('reads gzip input, and resumes it after kill -9', async () => {
    const events = shuffled(asLines(history(300, 'z')), 3);
    const plain = writeLines(events, 'history.ndjson');
    const gzip = join(tempDir(), 'history.ndjson.gz');
    writeFileSync(gzip, gzipSync(`${events.join('\n')}\n`));
    const fromPlain = newDatabase();
    const fromGzip = newDatabase();
    expect(importHistory(plain, fromPlain, '--chunk', '300').status).toBe(0);
    expect(await importWithKills(gzip, fromGzip, ['--chunk', '300'], 1)).toBe(1);
    expect(records(fromGzip)).toEqual(records(fromPlain));
    expect(query(fromGzip, 'SELECT events, applied, ledger_rows FROM import_checkpoints')).toEqual([{ events: 3300, applied: 3300, ledger_rows: 1200 }]);
  }, 60_000);

  it('lets the live path apply a credit echo and a late auto-refund of a credited run: the credit is voided by system', async () => {
    const t = await createTestApp();
    try {
      const dbPath = sqliteOf(t.ctx).name;
      const events = scenario('s');
      expect(importHistory(writeLines(asLines(events.slice(0, 10))), dbPath).status).toBe(0);
      const agent = await buildStaff(t.ctx);
      const credit = await creditOps(t.ctx, agent.id).create('s-cus', [{ generation_id: 's-g2', tokens: 150 }], 'applied');
      const entry = await t.value<string>('SELECT transaction_id FROM credits WHERE id = ?', [credit]);
      const echo = {
        id: 's-echo', type: 'tokens.credit_applied', occurred_at: events[10].occurred_at,
        data: { transaction_id: entry, credit_id: credit, customer_id: 's-cus', amount: 150 },
      };
      const result = importHistory(writeLines(asLines([echo, events[10]])), dbPath);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/2 events, 2 applied, 0 duplicates, 0 rejected/);
      expect(await t.value('SELECT confirmed_at IS NOT NULL FROM credit_events WHERE id = ?', [entry])).toBe(1);
      expect(await t.row('SELECT status, voided_by FROM credits WHERE id = ?', [credit])).toEqual({ status: 'voided', voided_by: 'system' });
      expect(await t.row("SELECT tokens_auto_refunded, tokens_credited FROM generations WHERE id = 's-g2'")).toEqual({ tokens_auto_refunded: 150, tokens_credited: 0 });
      expect(await t.value("SELECT balance FROM customers WHERE id = 's-cus'")).toBe(980);
      expect(runCli('ledgerVerify.ts', [], { DATABASE_PATH: dbPath }).status).toBe(0);
    } finally {
      await t.cleanup();
    }
  });

  it('ends with the ledger checks over what it loaded, and fails when they find a problem', () => {
    const file = writeLines(asLines(history(4)));
    const dbPath = newDatabase();
    expect(importHistory(file, dbPath).status).toBe(0);
    const db = openDatabase(dbPath);
    // A cached balance moved by hand, behind the triggers' back.
    db.prepare("UPDATE customers SET balance = balance + 7 WHERE id = 'h2-cus'").run();
    db.close();
    const again = importHistory(file, dbPath);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/Ledger check over the import FAILED[\s\S]*customer h2-cus: balance 987 but its ledger entries sum to 980/);
  });

  it('explains its usage', () => {
    const dbPath = newDatabase();
    expect(runCli('import.ts', ['--history'], { DATABASE_PATH: dbPath })).toMatchObject({ status: 1, stderr: expect.stringMatching(/Usage/) });
    expect(runCli('import.ts', ['/nope.ndjson', '--history'], { DATABASE_PATH: dbPath })).toMatchObject({ status: 1, stderr: expect.stringMatching(/no such file/) });
    const file = writeLines(['{}']);
    expect(runCli('import.ts', [file, '--history', '--chunk', '0'], { DATABASE_PATH: dbPath })).toMatchObject({ status: 1, stderr: expect.stringMatching(/--chunk/) });
  });
});

describe('the bulk path, fed inconsistent rows directly', () => {
  it('is refused by the database’s own checks, and the transaction leaves nothing', () => {
    const dbPath = newDatabase();
    const db = openDatabase(dbPath);
    migrate(db);
    const repo = createHistoryImportRepository(db);
    const at = '2026-11-20T10:00:00.000Z';
    db.transaction(() => {
      repo.insertCustomers(['a', 'b'].map((id) => ({ id, name: id, email: `${id}@example.com`, plan: 'pro', time_zone: null, created_at: at, source_at: at })));
      repo.insertChats([{ id: 'chat-a', customer_id: 'a', title: null, created_at: at, source_at: at }]);
      repo.insertGenerations([{
        id: 'run-a', chat_id: 'chat-a', customer_id: 'a', tool: 'image', model: null, prompt: null, status: 'failed', error_code: 'x', error_message: null,
        started_at: at, finished_at: at, source_at: at, status_at: at,
      }]);
    })();
    const entry = (fields: Partial<NewLedgerEntry>): NewLedgerEntry => ({
      id: 't', customer_id: 'a', kind: 'purchase', amount: 100, balance_after: 100, created_at: at, recorded_at: at,
      generation_id: null, chat_id: null, tool: null, reverses_id: null, credit_id: null, ...fields,
    });
    const refused = (rows: NewLedgerEntry[]): string => {
      try {
        db.transaction(() => repo.insertLedgerEntries(rows)).immediate();
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    const charge = entry({ id: 'c1', kind: 'charge', amount: -40, balance_after: -40, generation_id: 'run-a', chat_id: 'chat-a', tool: 'image' });

    expect(refused([entry({ balance_after: 99 })])).toBe('balance_after does not follow the customer balance');
    expect(refused([{ ...charge, customer_id: 'b' }])).toBe('charge customer differs from the run customer');
    expect(refused([charge, entry({ id: 'r1', kind: 'auto_refund', amount: 30, balance_after: -10, generation_id: 'run-a', reverses_id: 'c1' })])).toBe(
      'auto_refund must reverse a whole charge of the same run',
    );
    expect(refused([charge, { ...charge, id: 'c2', balance_after: -80 }])).toMatch(/UNIQUE constraint failed: ledger_entries\.generation_id/);
    expect(refused([entry({ kind: 'purchase', amount: -5, balance_after: -5 })])).toMatch(/CHECK constraint failed/);
    // 40 rows, the 33rd wrong: one multi-row statement of 32 went in, the next refused, the whole transaction undone.
    const many = Array.from({ length: 40 }, (_, i) => entry({ id: `p${i}`, amount: 1, balance_after: i + 1 + (i === 32 ? 1 : 0) }));
    expect(refused(many)).toBe('balance_after does not follow the customer balance');

    expect(db.prepare('SELECT COUNT(*) FROM ledger_entries').pluck().get()).toBe(0);
    expect(db.prepare('SELECT balance FROM customers ORDER BY id').pluck().all()).toEqual([0, 0]);
    expect(db.prepare("SELECT tokens_charged, tokens_auto_refunded FROM generations WHERE id = 'run-a'").get()).toEqual({ tokens_charged: 0, tokens_auto_refunded: 0 });
    expect(refused([charge, entry({ id: 'r1', kind: 'auto_refund', amount: 40, balance_after: 0, generation_id: 'run-a', reverses_id: 'c1' })])).toBe('accepted');
    db.close();
  });
});

/**
 * Runs the import, killing it with SIGKILL `kills` times at random points
 * once it has committed a few chunks (watching its checkpoint), then lets a
 * last run finish. Returns how many kills landed before the import ended.
 */
async function importWithKills(file: string, dbPath: string, args: string[], kills: number): Promise<number> {
  let landed = 0;
  let chunksSeen = 0;
  for (let round = 0; ; round++) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server', 'cli', 'import.ts'), file, '--history', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', DATABASE_PATH: dbPath },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let done = false;
    void exited.then(() => (done = true));
    if (round < kills) {
      // Kill after 1 to 4 more chunks, a random few milliseconds into the next one.
      const target = chunksSeen + 1 + Math.floor(Math.random() * 4);
      while (!done && checkpointChunks(dbPath) < target) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      if (!done) {
        child.kill('SIGKILL');
        landed++;
      }
    }
    const code = await exited;
    chunksSeen = checkpointChunks(dbPath);
    if (code === 0) return landed;
    if (code !== null) throw new Error(`the import failed (exit ${code}): ${output}`);
  }
}

function checkpointChunks(dbPath: string): number {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return (db.prepare('SELECT chunks FROM import_checkpoints').pluck().get() as number | undefined) ?? 0;
    } finally {
      db.close();
    }
  } catch {
    return 0;
  }
}
