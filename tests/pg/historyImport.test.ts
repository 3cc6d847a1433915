/**
 * The bulk history import on PostgreSQL (server/ingest/history/postgresHistoryLoader.ts): the same
 * generated files as tests/server/importHistory.test.ts, imported into SQLite by its loader and
 * into PostgreSQL by this one with one clock, give the same rows in every table (compared row by
 * row, db/copy/sqliteToPostgres.ts); a run stopped after some chunks and started again gives the
 * database an uninterrupted run gives; rejected lines are kept with their numbers; gzip is read;
 * a chunk the database refuses is split until the line is found; echoes and late refunds of
 * credited runs go through the live path inside the chunk; `npm run import -- FILE --history`
 * with DATABASE_URL, killed with SIGKILL mid-file and run again, ends with the same records.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../db/connection.ts';
import { differencesFromSource } from '../../db/copy/sqliteToPostgres.ts';
import { migrate } from '../../db/migrate.ts';
import { createPostgresStorage } from '../../db/storage/postgresStorage.ts';
import { createSqliteStorage } from '../../db/storage/sqliteStorage.ts';
import { createAuditLog } from '../../server/audit/auditLog.ts';
import { createCreditReversals } from '../../server/credits/creditReversals.ts';
import { createDeliveryService } from '../../server/delivery/deliveryService.ts';
import { importHistory, type HistoryImportOutcome } from '../../server/ingest/history/historyImport.ts';
import { ConcurrentImport, type HistoryLoader } from '../../server/ingest/history/historyLoader.ts';
import { createPostgresHistoryLoader, postgresLiveIngest } from '../../server/ingest/history/postgresHistoryLoader.ts';
import { createSqliteHistoryLoader } from '../../server/ingest/history/sqliteHistoryLoader.ts';
import { createIngestService } from '../../server/ingest/ingestService.ts';
import { verifyLedger } from '../../server/ledger/ledgerCheck.ts';
import { createLedger } from '../../server/ledger/ledger.ts';
import { scenario, type StudioEvent } from '../server/support/ingest.ts';
import { freshDatabase, type FreshDatabase } from '../support/postgres.ts';

/** One clock for both engines: the rows that carry the time they were written then match too. */
const NOW = new Date('2026-11-21T08:00:00.000Z');
const clock = () => NOW;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'td-history-pg-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** `customers` studio stories (11 events, 4 ledger entries each), in time order across customers. */
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

const asLines = (events: readonly StudioEvent[]): string[] => events.map((e) => JSON.stringify(e));
function writeLines(lines: readonly string[], name = 'history.ndjson'): string {
  const file = join(tempDir(), name);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The lines of importHistory.test.ts's first test: three stories between malformed lines and lines their records contradict. */
function fileWithRejections(): string {
  const events = history(3);
  const at = events[0].occurred_at;
  const bad = [
    '{broken json',
    JSON.stringify({ id: 'x-no-type', occurred_at: at, data: {} }),
    JSON.stringify({ id: 'x-neg', type: 'tokens.purchased', occurred_at: at, data: { transaction_id: 'x-t-neg', customer_id: 'h0-cus', amount: -5, created_at: at } }),
    JSON.stringify({ id: 'x-refund', type: 'tokens.refunded', occurred_at: at, data: { transaction_id: 'x-t-r', customer_id: 'h1-cus', charge_transaction_id: 'h1-t-c2', amount: 100, created_at: at } }),
    JSON.stringify({ id: 'x-charge', type: 'tokens.charged', occurred_at: at, data: { transaction_id: 'x-t-c', customer_id: 'h2-cus', generation_id: 'h2-g1', amount: 5, created_at: at } }),
    JSON.stringify({ id: 'x-chat', type: 'chat.created', occurred_at: at, data: { id: 'h0-chat', customer_id: 'h1-cus', created_at: at } }),
    JSON.stringify({ id: 'x-orphan', type: 'tokens.charged', occurred_at: at, data: { transaction_id: 'x-t-o', customer_id: 'h0-cus', generation_id: 'nowhere', amount: 5, created_at: at } }),
    JSON.stringify({ id: 'x-refund-again', type: 'tokens.refunded', occurred_at: at, data: { transaction_id: 'x-t-r2', customer_id: 'h0-cus', charge_transaction_id: 'h0-t-c2', amount: 150, created_at: at } }),
  ];
  return writeLines([...bad.slice(0, 3), '', ...asLines(events), ...bad.slice(3)]);
}

interface SqliteSide {
  db: Db;
  load(path: string, chunkSize: number): Promise<HistoryImportOutcome>;
}

/** A migrated SQLite file and its history loader, with the services the live path needs, on the shared clock. */
function sqliteSide(): SqliteSide {
  const path = join(tempDir(), 'history.db');
  const db = openDatabase(path);
  migrate(db);
  const storage = createSqliteStorage(path, { writer: db });
  cleanups.push(async () => {
    await storage.close();
    db.close();
  });
  const audit = createAuditLog(db, clock);
  const ledger = createLedger(db, clock);
  const reversals = createCreditReversals(db, ledger, audit, clock);
  const delivery = createDeliveryService(storage, db, { webhook: null, feedToken: null }, audit, clock, () => {
    throw new Error('no credit record is read here');
  }, () => undefined);
  const ingest = createIngestService(storage, db, ledger, reversals, delivery, audit, clock);
  return { db, load: (file, chunkSize) => importHistory(createSqliteHistoryLoader(db, { ingest, audit, clock }), { path: file, chunkSize }) };
}

interface PostgresSide {
  database: FreshDatabase;
  load(path: string, chunkSize: number, wrap?: (loader: HistoryLoader) => HistoryLoader): Promise<HistoryImportOutcome>;
}

async function postgresSide(): Promise<PostgresSide> {
  const database = await freshDatabase();
  const live = postgresLiveIngest(clock);
  cleanups.push(async () => {
    live.close();
    await database.drop();
  });
  return {
    database,
    async load(path, chunkSize, wrap = (loader) => loader) {
      const loader = createPostgresHistoryLoader(database.pool, { liveIngest: live.factory, clock });
      try {
        return await importHistory(wrap(loader), { path, chunkSize });
      } finally {
        await loader.close();
      }
    },
  };
}

/** Every table's rows that differ between the SQLite file and the PostgreSQL database (none when they match). */
async function differences(sqlite: Db, database: FreshDatabase): Promise<string[]> {
  const client = await database.pool.connect();
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    return await differencesFromSource(sqlite, client);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
}

/** A crash after `chunks` committed chunks: the loader fails the next one, as a killed process would leave it. */
const crashingAfter = (chunks: number) => (loader: HistoryLoader): HistoryLoader => {
  let loaded = 0;
  return {
    ...loader,
    loadChunk: async (items) => {
      if (loaded === chunks) throw new Error('crash');
      loaded++;
      return loader.loadChunk(items);
    },
  };
};

/** Columns that hold the time a row was written (the command runs on the system clock), or a number a rolled-back transaction consumes. */
const wallClock: Record<string, string[]> = {
  ledger_entries: ['seq', 'recorded_at'],
  ingest_events: ['received_at'],
  import_checkpoints: ['started_at', 'updated_at', 'finished_at'],
};

/** The tables of `tables` whose rows differ between SQLite and PostgreSQL, wall-clock columns left out. */
async function recordDifferences(sqlite: Db, database: FreshDatabase, tables: readonly string[]): Promise<string[]> {
  const differing: string[] = [];
  for (const table of tables) {
    const info = sqlite.prepare(`SELECT name, pk FROM pragma_table_info('${table}') ORDER BY cid`).all() as { name: string; pk: number }[];
    const columns = info.map((c) => c.name).filter((c) => !(wallClock[table] ?? []).includes(c));
    const key = info.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    const sql = `SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${(key.length > 0 ? key : columns).join(', ')}`;
    const expected = sqlite.prepare(sql).raw().all();
    const actual = (await database.pool.query({ text: sql, rowMode: 'array' })).rows;
    if (JSON.stringify(actual) !== JSON.stringify(expected)) differing.push(table);
  }
  return differing;
}

const root = join(import.meta.dirname, '..', '..');

/**
 * `npm run import -- FILE --history` on PostgreSQL (DATABASE_URL), killed with SIGKILL `kills`
 * times once it has committed a few more chunks (watching its checkpoint), then run to its end.
 * Returns how many kills landed before the import ended.
 */
async function importWithKills(file: string, database: FreshDatabase, args: string[], kills: number): Promise<number> {
  const chunks = async (): Promise<number> =>
    (await rows<{ chunks: number }>(database, 'SELECT chunks FROM import_checkpoints'))[0]?.chunks ?? 0;
  let landed = 0;
  for (let round = 0; ; round++) {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server', 'cli', 'import.ts'), file, '--history', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', DATABASE_URL: database.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let done = false;
    void exited.then(() => (done = true));
    if (round < kills) {
      // Kill after 1 to 3 more chunks, a random few milliseconds into the next one.
      const target = (await chunks()) + 1 + Math.floor(Math.random() * 3);
      while (!done && (await chunks()) < target) await new Promise((resolve) => setTimeout(resolve, 20));
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      if (!done) {
        child.kill('SIGKILL');
        landed++;
      }
    }
    const code = await exited;
    if (code === 0) return landed;
    if (code !== null) throw new Error(`the import failed (exit ${code}): ${output}`);
  }
}

const rows = async <T>(database: FreshDatabase, sql: string): Promise<T[]> => (await database.pool.query(sql)).rows as T[];

describe('the history import on PostgreSQL', () => {
  it('gives, for a file with rejected lines, the rows SQLite gives: every table row by row, each rejection with its line number', async () => {
    const file = fileWithRejections();
    const sqlite = sqliteSide();
    const postgres = await postgresSide();
    await sqlite.load(file, 7);
    const outcome = await postgres.load(file, 7);

    expect(outcome.run).toMatchObject({ events: 41, applied: 33, duplicates: 1, rejected: 7, ledgerRows: 12 });
    expect(await differences(sqlite.db, postgres.database)).toEqual([]);
    expect(await rows(postgres.database, 'SELECT line, event_id FROM import_rejections ORDER BY line')).toEqual([
      { line: 1, event_id: null }, { line: 2, event_id: 'x-no-type' }, { line: 3, event_id: 'x-neg' }, { line: 38, event_id: 'x-refund' },
      { line: 39, event_id: 'x-charge' }, { line: 40, event_id: 'x-chat' }, { line: 41, event_id: 'x-orphan' },
    ]);
    expect((await verifyLedger(createPostgresStorage(postgres.database.pool))).problems).toEqual([]);

    // The same file again: already imported, nothing read, nothing written.
    const again = await postgres.load(file, 7);
    expect(again.alreadyImported).toBe(true);
    expect(await rows(postgres.database, 'SELECT COUNT(*)::int AS n FROM ledger_entries')).toEqual([{ n: 12 }]);
  });

  it('gives the rows SQLite gives for a sorted file and for a shuffled one whose events wait chunks for their parents', async () => {
    const events = history(150);
    const sorted = writeLines(asLines(events), 'sorted.ndjson');
    const mixed = writeLines(shuffled(asLines(events)), 'shuffled.ndjson');
    for (const [file, chunk] of [[sorted, 20_000], [mixed, 200]] as const) {
      const sqlite = sqliteSide();
      const postgres = await postgresSide();
      await sqlite.load(file, chunk);
      const outcome = await postgres.load(file, chunk);
      expect(outcome.run).toMatchObject({ events: 1650, applied: 1650, duplicates: 0, rejected: 0, ledgerRows: 600 });
      expect(await differences(sqlite.db, postgres.database)).toEqual([]);
      expect(await rows(postgres.database, 'SELECT COUNT(*)::int AS n FROM import_waiting')).toEqual([{ n: 0 }]);
    }
  });

  it('resumes after a stop at any chunk with exactly the database an uninterrupted run gives', async () => {
    const file = writeLines(shuffled(asLines(history(200)), 11));
    const sqlite = sqliteSide();
    await sqlite.load(file, 250);
    const postgres = await postgresSide();
    for (const stopAfter of [1, 3, 4]) await expect(postgres.load(file, 250, crashingAfter(stopAfter))).rejects.toThrow('crash');
    const last = await postgres.load(file, 250);
    expect(last.run.fromLine).toBeGreaterThan(0);
    expect(await differences(sqlite.db, postgres.database)).toEqual([]);
    expect(await rows(postgres.database, 'SELECT events, applied, rejected, ledger_rows FROM import_checkpoints')).toEqual([
      { events: 2200, applied: 2200, rejected: 0, ledger_rows: 800 },
    ]);
  });

  it('resumes `npm run import -- FILE --history` on DATABASE_URL after kill -9 with the records SQLite gets from an uninterrupted run', async () => {
    const file = writeLines(shuffled(asLines(history(300)), 5));
    const sqlite = sqliteSide();
    await sqlite.load(file, 250);
    const postgres = await postgresSide();
    expect(await importWithKills(file, postgres.database, ['--chunk', '250'], 3)).toBeGreaterThanOrEqual(2);
    expect(await recordDifferences(sqlite.db, postgres.database, [
      'customers', 'chats', 'generations', 'assets', 'ledger_entries', 'ingest_events', 'ingest_held', 'import_waiting', 'import_rejections', 'import_checkpoints',
    ])).toEqual([]);
    expect(await rows(postgres.database, 'SELECT events, applied, rejected, ledger_rows, finished_at IS NOT NULL AS finished FROM import_checkpoints')).toEqual([
      { events: 3300, applied: 3300, rejected: 0, ledger_rows: 1200, finished: true },
    ]);
    expect((await verifyLedger(createPostgresStorage(postgres.database.pool))).problems).toEqual([]);
  }, 180_000);

  it('reads gzip input, resumed after a stop, as SQLite reads the plain file', async () => {
    const lines = shuffled(asLines(history(100, 'z')), 3);
    const dir = tempDir();
    const gzip = join(dir, 'history.ndjson.gz');
    writeFileSync(gzip, gzipSync(`${lines.join('\n')}\n`));
    const sqlite = sqliteSide();
    const postgres = await postgresSide();
    await sqlite.load(gzip, 300);
    await expect(postgres.load(gzip, 300, crashingAfter(2))).rejects.toThrow('crash');
    await postgres.load(gzip, 300);
    expect(await differences(sqlite.db, postgres.database)).toEqual([]);
    expect(await rows(postgres.database, 'SELECT events, applied, ledger_rows FROM import_checkpoints')).toEqual([{ events: 1100, applied: 1100, ledger_rows: 400 }]);
  });

  it('refuses a second import of the same file running at once: one loads it, the other stops before writing anything', async () => {
    const file = writeLines(asLines(history(100)));
    const sqlite = sqliteSide();
    await sqlite.load(file, 100);
    const postgres = await postgresSide();
    const runs = await Promise.allSettled([postgres.load(file, 100), postgres.load(file, 100)]);
    const refused = runs.flatMap((run) => (run.status === 'rejected' ? [run.reason as unknown] : []));
    expect(refused).toHaveLength(1);
    expect(refused[0]).toBeInstanceOf(ConcurrentImport);
    expect(await differences(sqlite.db, postgres.database)).toEqual([]);
  });

  it('splits a chunk the database refuses until it finds the line, rejects that line with the database’s words and loads the rest', async () => {
    const postgres = await postgresSide();
    // Stands for any refusal the checks before the insert did not foresee (SQLSTATE 23000, as the guards raise).
    await postgres.database.pool.query(`CREATE FUNCTION test_refuses_one() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION USING ERRCODE = 'integrity_constraint_violation', MESSAGE = 'refused by the test'; END $$;
      CREATE TRIGGER test_refuses_one BEFORE INSERT ON ledger_entries FOR EACH ROW WHEN (NEW.id = 'h7-t-c2') EXECUTE FUNCTION test_refuses_one()`);
    const file = writeLines(asLines(history(20)));
    const outcome = await postgres.load(file, 100);
    expect(outcome.run).toMatchObject({ events: 220, applied: 218, duplicates: 0, rejected: 2, ledgerRows: 78 });
    expect(outcome.run.refusedChunks).toBeGreaterThan(0);
    const rejected = await rows<{ event_id: string; reason: string }>(postgres.database, 'SELECT event_id, reason FROM import_rejections ORDER BY line');
    expect(rejected).toEqual([
      { event_id: 'h7-e9', reason: 'the database refused it: refused by the test' },
      // The refund of the refused charge then has no charge to reverse.
      { event_id: 'h7-e11', reason: 'transaction h7-t-c2 is not in the database and no line of the file stores it' },
    ]);
    expect(await rows(postgres.database, "SELECT balance FROM customers WHERE id = 'h7-cus'")).toEqual([{ balance: 1000 - 20 }]);
    expect(await rows(postgres.database, 'SELECT COUNT(*)::int AS n FROM ingest_events')).toEqual([{ n: 218 }]);
    expect((await verifyLedger(createPostgresStorage(postgres.database.pool))).problems).toEqual([]);
  });

  it('lets the live path apply a credit echo and a late auto-refund of a credited run inside the chunk: the credit is voided by system', async () => {
    const events = scenario('s');
    const postgres = await postgresSide();
    await postgres.load(writeLines(asLines(events.slice(0, 10)), 'first.ndjson'), 20_000);
    const { creditId, entryId } = await creditRun(postgres.database, 's-cus', 's-g2', 150);
    const echo = {
      id: 's-echo', type: 'tokens.credit_applied', occurred_at: events[10].occurred_at,
      data: { transaction_id: entryId, credit_id: creditId, customer_id: 's-cus', amount: 150 },
    };
    const outcome = await postgres.load(writeLines(asLines([echo, events[10]]), 'second.ndjson'), 20_000);
    expect(outcome.run).toMatchObject({ events: 2, applied: 2, duplicates: 0, rejected: 0, ledgerRows: 2 });
    const db = postgres.database;
    expect(await rows(db, `SELECT confirmed_at IS NOT NULL AS confirmed FROM credit_events WHERE id = '${entryId}'`)).toEqual([{ confirmed: true }]);
    expect(await rows(db, `SELECT status, voided_by FROM credits WHERE id = '${creditId}'`)).toEqual([{ status: 'voided', voided_by: 'system' }]);
    expect(await rows(db, "SELECT tokens_auto_refunded, tokens_credited FROM generations WHERE id = 's-g2'")).toEqual([{ tokens_auto_refunded: 150, tokens_credited: 0 }]);
    expect(await rows(db, "SELECT balance FROM customers WHERE id = 's-cus'")).toEqual([{ balance: 980 }]);
    // Each live event is a batch of its own, audited as on SQLite (the echo's, the void's and the refund's), before the chunk's own.
    expect(await rows(db, "SELECT action, entity_id FROM audit_events WHERE entity_id LIKE 'history:%second.ndjson%' OR action LIKE 'credit.%' ORDER BY seq")).toEqual([
      { action: 'ingest.batch', entity_id: expect.stringMatching(/second\.ndjson#1-2$/) },
      { action: 'credit.voided', entity_id: creditId },
      { action: 'ingest.batch', entity_id: expect.stringMatching(/second\.ndjson#1-2$/) },
      { action: 'ingest.batch', entity_id: expect.stringMatching(/second\.ndjson#1-2$/) },
      { action: 'ingest.batch', entity_id: expect.stringMatching(/second\.ndjson#end$/) },
    ]);
    expect((await verifyLedger(createPostgresStorage(db.pool))).problems).toEqual([]);
  });
});

/** An applied console credit of `tokens` on `run`: the grant and its item, then its entry and event by the ledger itself. */
async function creditRun(database: FreshDatabase, customer: string, run: string, tokens: number): Promise<{ creditId: string; entryId: string }> {
  const at = NOW.toISOString();
  const creditId = 'crd_test';
  const standIn = openDatabase(':memory:');
  migrate(standIn);
  try {
    const ledger = createLedger(standIn, clock);
    const entry = await createPostgresStorage(database.pool).transaction(async (tx) => {
      await tx.run(`INSERT INTO staff (id, email, name, role, created_at, updated_at) VALUES ('stf_lead', 'lead@tokendesk.test', 'Sam Lead', 'lead', ?, ?)`, [at, at]);
      await tx.run(`INSERT INTO credits (id, customer_id, amount, reason, ticket_ref, expected, received, requested_by, status, idempotency_key, created_at)
        VALUES (?, ?, ?, 'goodwill', 'T-1', 'a cat', 'a dog', 'stf_lead', 'applied', 'key-1', ?)`, [creditId, customer, tokens, at]);
      await tx.run('INSERT INTO credit_items (credit_id, generation_id, tokens) VALUES (?, ?, ?)', [creditId, run, tokens]);
      const posted = await ledger.append(tx, { customerId: customer, kind: 'manual_credit', amount: tokens, creditId });
      await tx.run('UPDATE credits SET transaction_id = ? WHERE id = ?', [posted.id, creditId]);
      return posted;
    });
    return { creditId, entryId: entry.id };
  } finally {
    standIn.close();
  }
}
