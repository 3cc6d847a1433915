import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Db } from '../connection.ts';
import { snapshotOf, transactionOf } from '../storage/postgresStorage.ts';
import type { Queryable, Transaction } from '../storage/types.ts';
import type { AssetListRow } from './assetQueries.ts';
import { batchInserter } from './batchInsert.ts';
import type { ChatRow } from './chatRepository.ts';
import type { CustomerUpsert, GenerationFinish, GenerationStart } from './ingestRepository.ts';
import type { NewCustomer } from './customerRepository.ts';
import type { NewGeneration } from './generationRepository.ts';
import type { LedgerKind, NewLedgerEntry } from './ledgerRepository.ts';

/** Where the import of one file stands (db/migrations/006_import_checkpoints.sql). */
export interface ImportCheckpointRow {
  file_key: string;
  path: string;
  size: number;
  byte_offset: number;
  line: number;
  chunks: number;
  ledger_seq_before: number;
  events: number;
  applied: number;
  duplicates: number;
  rejected: number;
  ledger_rows: number;
  started_at: string;
  updated_at: string;
  finished_at: string | null;
}

/** What one committed chunk adds to its file's checkpoint. */
export interface CheckpointAdvance {
  file_key: string;
  /** The chunk count the chunk started from: another process that moved it meanwhile makes the advance fail. */
  chunks: number;
  byte_offset: number;
  line: number;
  events: number;
  applied: number;
  duplicates: number;
  rejected: number;
  ledger_rows: number;
  updated_at: string;
}

/** A run as the history import checks events against it. */
export interface StoredRun {
  customer_id: string;
  chat_id: string;
  tool: string;
  charge_id: string | null;
  source_at: string;
  status_at: string;
  /** Tokens credited or reserved by console credits: a late auto-refund must undo those (invariant 7). */
  credit_tokens: number;
}

export interface StoredTransaction {
  id: string;
  kind: LedgerKind;
  customer_id: string;
  amount: number;
  generation_id: string | null;
  chat_id: string | null;
  tool: string | null;
}

/** Ids a chunk's events name, by what they are. */
export interface RecordIds {
  events: string[];
  customers: string[];
  chats: string[];
  runs: string[];
  transactions: string[];
  /** Charges that refunds name: whether an auto-refund reverses them already. */
  charges: string[];
}

/** Which of those ids are stored, and as what. */
export interface StoredRecordsFound {
  seenEvents: Set<string>;
  balances: Map<string, number>;
  chatOwners: Map<string, string>;
  runs: Map<string, StoredRun>;
  transactions: Map<string, StoredTransaction>;
  reversed: Set<string>;
}

export interface WaitingEventRow {
  file_key: string;
  line: number;
  event_id: string;
  type: string;
  occurred_at: string;
  waits_for: string;
  payload: string;
}

export interface RejectionRow {
  file_key: string;
  line: number;
  event_id: string | null;
  reason: string;
}

export interface ProcessedEventRow {
  id: string;
  type: string;
  occurred_at: string;
  received_at: string;
  outcome: 'applied' | 'no_effect';
}

export type HistoryCustomerRow = NewCustomer;
export type HistoryChatRow = ChatRow & { source_at: string };
export type HistoryGenerationRow = NewGeneration & { source_at: string };
export type HistoryAssetRow = AssetListRow;

/**
 * The SQLite side of the bulk history import (server/ingest/history/): point
 * reads the events are checked against, multi-row inserts of new records in
 * their final state, and the import's own tables (checkpoint, waiting events,
 * rejections). Synchronous, on the one connection that writes: each chunk is
 * one `BEGIN IMMEDIATE` transaction of the caller. Nothing here bypasses the
 * schema: every trigger, CHECK, foreign key and index applies to these rows.
 */
export function createHistoryImportRepository(db: Db) {
  const anyHeld = db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM ingest_held) + EXISTS (SELECT 1 FROM import_waiting)').pluck();
  const customerBalance = db.prepare<[string], number>('SELECT balance FROM customers WHERE id = ?').pluck();
  const chatOwner = db.prepare<[string], string>('SELECT customer_id FROM chats WHERE id = ?').pluck();
  const run = db.prepare<[string], StoredRun>(
    `SELECT customer_id, chat_id, tool, charge_id, source_at, status_at, tokens_credited + tokens_reserved AS credit_tokens
       FROM generations WHERE id = ?`,
  );
  const transaction = db.prepare<[string], StoredTransaction>(
    'SELECT id, kind, customer_id, amount, generation_id, chat_id, tool FROM ledger_entries WHERE id = ?',
  );
  const reversed = db.prepare<[string], number>('SELECT 1 FROM ledger_entries WHERE reverses_id = ?').pluck();
  // The same reads for a whole chunk at once (set-based): one statement per table instead of one per event.
  const seenEvents = db.prepare<{ ids: string; held: number }, string>(
    `SELECT value FROM json_each(@ids) WHERE EXISTS (SELECT 1 FROM ingest_events WHERE id = value)
       OR (@held AND (EXISTS (SELECT 1 FROM ingest_held WHERE event_id = value) OR EXISTS (SELECT 1 FROM import_waiting WHERE event_id = value)))`,
  ).pluck();
  const balances = db.prepare<[string], { id: string; balance: number }>(
    'SELECT id, balance FROM customers WHERE id IN (SELECT value FROM json_each(?))',
  );
  const chatOwners = db.prepare<[string], { id: string; customer_id: string }>(
    'SELECT id, customer_id FROM chats WHERE id IN (SELECT value FROM json_each(?))',
  );
  const runs = db.prepare<[string], StoredRun & { id: string }>(
    `SELECT id, customer_id, chat_id, tool, charge_id, source_at, status_at, tokens_credited + tokens_reserved AS credit_tokens
       FROM generations WHERE id IN (SELECT value FROM json_each(?))`,
  );
  const transactions = db.prepare<[string], StoredTransaction>(
    'SELECT id, kind, customer_id, amount, generation_id, chat_id, tool FROM ledger_entries WHERE id IN (SELECT value FROM json_each(?))',
  );
  const reversedOnes = db.prepare<[string], string>(
    'SELECT reverses_id FROM ledger_entries WHERE reverses_id IN (SELECT value FROM json_each(?))',
  ).pluck();
  const lastLedgerSeq = db.prepare<[], number>('SELECT COALESCE(MAX(seq), 0) FROM ledger_entries').pluck();

  const checkpoint = db.prepare<[string], ImportCheckpointRow>('SELECT * FROM import_checkpoints WHERE file_key = ?');
  const createCheckpoint = db.prepare<Pick<ImportCheckpointRow, 'file_key' | 'path' | 'size' | 'ledger_seq_before' | 'started_at'>>(
    `INSERT INTO import_checkpoints (file_key, path, size, ledger_seq_before, started_at, updated_at)
     VALUES (@file_key, @path, @size, @ledger_seq_before, @started_at, @started_at)`,
  );
  const advanceCheckpoint = db.prepare<CheckpointAdvance>(
    `UPDATE import_checkpoints SET chunks = chunks + 1, byte_offset = @byte_offset, line = @line,
        events = events + @events, applied = applied + @applied, duplicates = duplicates + @duplicates,
        rejected = rejected + @rejected, ledger_rows = ledger_rows + @ledger_rows, updated_at = @updated_at
      WHERE file_key = @file_key AND chunks = @chunks AND finished_at IS NULL`,
  );
  const finishCheckpoint = db.prepare<{ file_key: string; chunks: number; finished_at: string; rejected: number }>(
    `UPDATE import_checkpoints SET chunks = chunks + 1, rejected = rejected + @rejected, finished_at = @finished_at, updated_at = @finished_at
      WHERE file_key = @file_key AND chunks = @chunks AND finished_at IS NULL`,
  );

  const readyWaiting = db.prepare<[string, number], WaitingEventRow>(
    `SELECT file_key, line, event_id, type, occurred_at, waits_for, payload FROM import_waiting
      WHERE file_key = ? AND ready = 1 ORDER BY line LIMIT ?`,
  );
  const deleteWaiting = db.prepare<[string, string]>(
    'DELETE FROM import_waiting WHERE file_key = ? AND line IN (SELECT value FROM json_each(?))',
  );
  // Set-based: one statement per chunk for every parent the chunk stored.
  const markReady = db.prepare<[string, string]>(
    `UPDATE import_waiting SET ready = 1
      WHERE file_key = ? AND ready = 0 AND waits_for IN (SELECT value FROM json_each(?))`,
  );
  const anyWaiting = db.prepare<[string], number>(
    'SELECT EXISTS (SELECT 1 FROM import_waiting WHERE file_key = ? AND ready = 0)',
  ).pluck();
  const waitingCount = db.prepare<[string], number>('SELECT COUNT(*) FROM import_waiting WHERE file_key = ?').pluck();
  const waitingPage = db.prepare<[string, number, number], WaitingEventRow>(
    `SELECT file_key, line, event_id, type, occurred_at, waits_for, payload FROM import_waiting
      WHERE file_key = ? AND line > ? ORDER BY line LIMIT ?`,
  );
  const deleteAllWaiting = db.prepare<[string]>('DELETE FROM import_waiting WHERE file_key = ?');

  return {
    /** Whether any event waits anywhere (ingest_held, import_waiting); when none does, prefetch need not look there. */
    anyHeld: (): boolean => (anyHeld.get() ?? 0) > 0,
    customerBalance: (id: string): number | undefined => customerBalance.get(id),
    chatOwner: (id: string): string | undefined => chatOwner.get(id),
    run: (id: string): StoredRun | undefined => run.get(id),
    transaction: (id: string): StoredTransaction | undefined => transaction.get(id),
    isReversed: (chargeId: string): boolean => reversed.get(chargeId) === 1,
    lastLedgerSeq: (): number => lastLedgerSeq.get() ?? 0,
    /** The reads above for many ids at once; `held`: whether ingest_held or import_waiting hold anything. */
    prefetch: (ids: RecordIds, held: boolean): StoredRecordsFound => ({
      seenEvents: new Set(ids.events.length > 0 ? seenEvents.all({ ids: JSON.stringify(ids.events), held: held ? 1 : 0 }) : []),
      balances: new Map(ids.customers.length > 0 ? balances.all(JSON.stringify(ids.customers)).map((r) => [r.id, r.balance]) : []),
      chatOwners: new Map(ids.chats.length > 0 ? chatOwners.all(JSON.stringify(ids.chats)).map((r) => [r.id, r.customer_id]) : []),
      runs: new Map(
        ids.runs.length > 0
          ? runs.all(JSON.stringify(ids.runs)).map(({ id, ...run }) => [id, run])
          : [],
      ),
      transactions: new Map(ids.transactions.length > 0 ? transactions.all(JSON.stringify(ids.transactions)).map((t) => [t.id, t]) : []),
      reversed: new Set(ids.charges.length > 0 ? reversedOnes.all(JSON.stringify(ids.charges)) : []),
    }),

    insertCustomers: batchInserter<HistoryCustomerRow>(db, 'customers', ['id', 'name', 'email', 'plan', 'time_zone', 'created_at', 'source_at']),
    insertChats: batchInserter<HistoryChatRow>(db, 'chats', ['id', 'customer_id', 'title', 'created_at', 'source_at']),
    insertGenerations: batchInserter<HistoryGenerationRow>(db, 'generations', [
      'id', 'chat_id', 'customer_id', 'tool', 'model', 'prompt', 'status', 'error_code', 'error_message', 'started_at', 'finished_at', 'source_at', 'status_at',
    ]),
    insertLedgerEntries: batchInserter<NewLedgerEntry>(db, 'ledger_entries', [
      'id', 'customer_id', 'kind', 'amount', 'balance_after', 'created_at', 'recorded_at', 'generation_id', 'chat_id', 'tool', 'reverses_id', 'credit_id',
    ]),
    // As ingestion: an asset id seen before changes nothing.
    insertAssets: batchInserter<HistoryAssetRow>(db, 'assets', [
      'id', 'generation_id', 'customer_id', 'kind', 'mime', 'url', 'thumbnail_url', 'width', 'height', 'duration_ms', 'bytes', 'created_at',
    ], 'ON CONFLICT (id) DO NOTHING'),
    insertProcessedEvents: batchInserter<ProcessedEventRow>(db, 'ingest_events', ['id', 'type', 'occurred_at', 'received_at', 'outcome']),

    checkpoint: (fileKey: string): ImportCheckpointRow | undefined => checkpoint.get(fileKey),
    createCheckpoint: (row: Pick<ImportCheckpointRow, 'file_key' | 'path' | 'size' | 'ledger_seq_before' | 'started_at'>): void => {
      createCheckpoint.run(row);
    },
    /** Moves the checkpoint past a chunk; false when another process moved it first (or it is finished). */
    advanceCheckpoint: (advance: CheckpointAdvance): boolean => advanceCheckpoint.run(advance).changes === 1,
    /** Marks the file imported, adding the last rejections; false when another process moved the checkpoint first. */
    finishCheckpoint: (fileKey: string, chunks: number, finishedAt: string, rejected: number): boolean =>
      finishCheckpoint.run({ file_key: fileKey, chunks, finished_at: finishedAt, rejected }).changes === 1,

    insertWaiting: batchInserter<WaitingEventRow>(db, 'import_waiting', ['file_key', 'line', 'event_id', 'type', 'occurred_at', 'waits_for', 'payload']),
    /** Waiting events whose parent is stored now, in line order. */
    readyWaiting: (fileKey: string, limit: number): WaitingEventRow[] => readyWaiting.all(fileKey, limit),
    deleteWaiting: (fileKey: string, lines: readonly number[]): void => {
      if (lines.length > 0) deleteWaiting.run(fileKey, JSON.stringify(lines));
    },
    /** Marks ready the events waiting for any of `keys` (`customer:cus_1`, …). */
    markReady: (fileKey: string, keys: readonly string[]): void => {
      if (keys.length > 0) markReady.run(fileKey, JSON.stringify(keys));
    },
    /** Whether any event of the file waits for a parent not stored yet. */
    anyWaiting: (fileKey: string): boolean => anyWaiting.get(fileKey) === 1,
    waitingCount: (fileKey: string): number => waitingCount.get(fileKey) ?? 0,
    /** Waiting events after `afterLine`, in line order, a page at a time. */
    waitingPage: (fileKey: string, afterLine: number, limit: number): WaitingEventRow[] => waitingPage.all(fileKey, afterLine, limit),
    deleteAllWaiting: (fileKey: string): void => {
      deleteAllWaiting.run(fileKey);
    },
    insertRejections: batchInserter<RejectionRow>(db, 'import_rejections', ['file_key', 'line', 'event_id', 'reason']),
  };
}
export type HistoryImportRepository = ReturnType<typeof createHistoryImportRepository>;

/*
 * The PostgreSQL side of the bulk history import (server/ingest/history/postgresHistoryLoader.ts).
 * The loader holds one connection of its own for the whole file and runs each chunk as one
 * transaction on it: reads through the seam's statements (`?`, `@name`) on that connection, new
 * rows by COPY on the same connection, updates of stored records as one statement per table
 * over a JSON array of rows. Every trigger, CHECK, foreign key and index applies, as on SQLite.
 */

const pgSql = {
  anyHeld: 'SELECT (EXISTS (SELECT 1 FROM ingest_held) OR EXISTS (SELECT 1 FROM import_waiting)) AS held',
  anyHeldLive: 'SELECT EXISTS (SELECT 1 FROM ingest_held) AS held',
  // Array parameters: one text whatever the chunk's size, planned once per connection.
  seenEvents: `SELECT id FROM ingest_events WHERE id = ANY(@ids::text[])
    UNION ALL SELECT event_id FROM ingest_held WHERE @held AND event_id = ANY(@ids::text[])
    UNION ALL SELECT event_id FROM import_waiting WHERE @held AND @waiting AND event_id = ANY(@ids::text[])`,
  // Locked in id order, the lock order of docs/postgres.md: the ledger guard would lock each
  // customer anyway as its entries go in, in the file's order, where another writer could meet it
  // the other way round; and a balance read here must still be the balance when the entries land.
  balances: 'SELECT id, balance FROM customers WHERE id = ANY(?::text[]) ORDER BY id FOR UPDATE',
  chatOwners: 'SELECT id, customer_id FROM chats WHERE id = ANY(?::text[])',
  // With the runs of the stored charges the chunk's refunds name: the fold asks for those too. One
  // array of both (ARRAY(…) runs once, first), so the lookup stays on the primary key: an OR of the
  // two would scan the whole table.
  runs: `SELECT id, customer_id, chat_id, tool, charge_id, source_at, status_at, tokens_credited + tokens_reserved AS credit_tokens
    FROM generations WHERE id = ANY(@runs::text[]
      || ARRAY(SELECT generation_id FROM ledger_entries WHERE id = ANY(@charges::text[]) AND generation_id IS NOT NULL))`,
  transactions: 'SELECT id, kind, customer_id, amount, generation_id, chat_id, tool FROM ledger_entries WHERE id = ANY(?::text[])',
  reversed: 'SELECT reverses_id FROM ledger_entries WHERE reverses_id = ANY(?::text[])',
  lastLedgerSeq: 'SELECT COALESCE(MAX(seq), 0) AS seq FROM ledger_entries',

  checkpoint: 'SELECT * FROM import_checkpoints WHERE file_key = ?',
  lockCheckpoint: 'SELECT chunks, finished_at FROM import_checkpoints WHERE file_key = ? FOR UPDATE',
  // Two first runs of one file at once: the second finds the first's row.
  createCheckpoint: `INSERT INTO import_checkpoints (file_key, path, size, ledger_seq_before, started_at, updated_at)
    VALUES (@file_key, @path, @size, @ledger_seq_before, @started_at, @started_at) ON CONFLICT (file_key) DO NOTHING`,
  advanceCheckpoint: `UPDATE import_checkpoints SET chunks = chunks + 1, byte_offset = @byte_offset, line = @line,
      events = events + @events, applied = applied + @applied, duplicates = duplicates + @duplicates,
      rejected = rejected + @rejected, ledger_rows = ledger_rows + @ledger_rows, updated_at = @updated_at
    WHERE file_key = @file_key AND chunks = @chunks AND finished_at IS NULL`,
  finishCheckpoint: `UPDATE import_checkpoints SET chunks = chunks + 1, rejected = rejected + @rejected, finished_at = @finished_at, updated_at = @finished_at
    WHERE file_key = @file_key AND chunks = @chunks AND finished_at IS NULL`,

  readyWaiting: `SELECT file_key, line, event_id, type, occurred_at, waits_for, payload FROM import_waiting
    WHERE file_key = ? AND ready = 1 ORDER BY line LIMIT ?`,
  deleteWaiting: 'DELETE FROM import_waiting WHERE file_key = ? AND line = ANY(?::bigint[])',
  markReady: 'UPDATE import_waiting SET ready = 1 WHERE file_key = ? AND ready = 0 AND waits_for = ANY(?::text[])',
  anyWaiting: 'SELECT EXISTS (SELECT 1 FROM import_waiting WHERE file_key = ? AND ready = 0) AS waiting',
  waitingCount: 'SELECT COUNT(*) AS n FROM import_waiting WHERE file_key = ?',
  waitingPage: `SELECT file_key, line, event_id, type, occurred_at, waits_for, payload FROM import_waiting
    WHERE file_key = ? AND line > ? ORDER BY line LIMIT ?`,
  deleteAllWaiting: 'DELETE FROM import_waiting WHERE file_key = ?',

  // Ingestion's upserts (ingestRepository.ts), for all of a chunk's stored records in one statement each:
  // the fold hands each record over once, so no statement meets one row twice.
  upsertCustomers: `INSERT INTO customers (id, name, email, plan, time_zone, created_at, source_at)
      SELECT id, name, email, plan, time_zone, created_at, source_at FROM json_populate_recordset(NULL::customers, ?::json)
    ON CONFLICT (id) DO UPDATE SET name = excluded.name, email = excluded.email, plan = excluded.plan,
      time_zone = excluded.time_zone, source_at = excluded.source_at
    WHERE excluded.source_at > customers.source_at`,
  customersSince: `UPDATE customers c SET created_at = r.created_at FROM json_populate_recordset(NULL::customers, ?::json) r
    WHERE c.id = r.id AND c.created_at > r.created_at`,
  upsertChats: `INSERT INTO chats (id, customer_id, title, created_at, source_at)
      SELECT id, customer_id, title, created_at, source_at FROM json_populate_recordset(NULL::chats, ?::json)
    ON CONFLICT (id) DO UPDATE SET title = excluded.title, created_at = excluded.created_at, source_at = excluded.source_at
    WHERE excluded.source_at > chats.source_at`,
  startRuns: `INSERT INTO generations (id, chat_id, customer_id, tool, model, prompt, status, started_at, source_at, status_at)
      SELECT id, chat_id, customer_id, tool, model, prompt, 'running', started_at, source_at, '' FROM json_populate_recordset(NULL::generations, ?::json)
    ON CONFLICT (id) DO UPDATE SET tool = excluded.tool, model = excluded.model, prompt = excluded.prompt,
      started_at = excluded.started_at, source_at = excluded.source_at
    WHERE excluded.source_at > generations.source_at`,
  finishRuns: `UPDATE generations g SET status = r.status, finished_at = r.finished_at, error_code = r.error_code,
      error_message = r.error_message, status_at = r.status_at
    FROM json_populate_recordset(NULL::generations, ?::json) r WHERE g.id = r.id AND g.status_at < r.status_at`,
  // As ingestion: an asset id seen before changes nothing (COPY has no ON CONFLICT). In the file's order.
  insertAssets: `INSERT INTO assets (id, generation_id, customer_id, kind, mime, url, thumbnail_url, width, height, duration_ms, bytes, created_at)
      SELECT r.id, r.generation_id, r.customer_id, r.kind, r.mime, r.url, r.thumbnail_url, r.width, r.height, r.duration_ms, r.bytes, r.created_at
        FROM json_array_elements(?::json) WITH ORDINALITY AS a(row, n), json_populate_record(NULL::assets, a.row) r ORDER BY a.n
    ON CONFLICT (id) DO NOTHING`,
};

/** Rows of the tables whose growth the import watches: the triggers' and foreign keys' plans look rows up in them. */
export interface LoadedTableRows {
  customers: number;
  generations: number;
  ledger_entries: number;
}

/** COPY's text format: `\N` for NULL; backslash, tab, newline and carriage return escaped. */
function copyValue(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  const text = String(value);
  return /[\\\t\n\r]/.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c) : text;
}

/** Rows per write to the COPY stream: big enough that the stream's own cost per write stays small. */
const COPY_ROWS_PER_WRITE = 2000;

/** A `COPY table (columns) FROM STDIN` of `rows`, in their order, on `client`'s open transaction. */
function copier<Row>(table: string, columns: ReadonlyArray<keyof Row & string>) {
  const statement = `COPY ${table} (${columns.join(', ')}) FROM STDIN`;
  return async (client: pg.ClientBase, rows: readonly Row[]): Promise<void> => {
    if (rows.length === 0) return;
    const stream = client.query(copyFrom(statement));
    const done = once(stream, 'finish');
    for (let start = 0; start < rows.length; start += COPY_ROWS_PER_WRITE) {
      let text = '';
      const end = Math.min(rows.length, start + COPY_ROWS_PER_WRITE);
      for (let i = start; i < end; i++) text += `${columns.map((c) => copyValue(rows[i][c])).join('\t')}\n`;
      if (!stream.write(text)) await once(stream, 'drain');
    }
    stream.end();
    await done;
  };
}

const json = (rows: readonly object[]): string => JSON.stringify(rows);

/** Reads and writes of the history import on PostgreSQL; `q` is the chunk's transaction on the loader's connection. */
export const postgresHistoryImport = {
  anyHeld: async (q: Queryable): Promise<boolean> => (await q.get<{ held: boolean }>(pgSql.anyHeld))?.held === true,
  lastLedgerSeq: async (q: Queryable): Promise<number> => (await q.get<{ seq: number }>(pgSql.lastLedgerSeq))?.seq ?? 0,
  anyHeldLive: async (q: Queryable): Promise<boolean> => (await q.get<{ held: boolean }>(pgSql.anyHeldLive))?.held === true,
  /**
   * The records a chunk's events name, each table in one statement (the customers locked, in id
   * order); `held`: whether ingest_held (or import_waiting) holds anything at all. An event seen
   * before is one in ingest_events or ingest_held, and for the import one in import_waiting too;
   * live ingestion (`seenIn` 'live') does not look there, as its per-event path does not.
   */
  async prefetch(q: Queryable, ids: RecordIds, held: boolean, seenIn: 'import' | 'live' = 'import'): Promise<StoredRecordsFound> {
    const seen = ids.events.length > 0
      ? await q.all<{ id: string }>(pgSql.seenEvents, { ids: ids.events, held, waiting: seenIn === 'import' })
      : [];
    const balances = ids.customers.length > 0 ? await q.all<{ id: string; balance: number }>(pgSql.balances, [ids.customers]) : [];
    const owners = ids.chats.length > 0 ? await q.all<{ id: string; customer_id: string }>(pgSql.chatOwners, [ids.chats]) : [];
    const runs = ids.runs.length + ids.charges.length > 0
      ? await q.all<StoredRun & { id: string }>(pgSql.runs, { runs: ids.runs, charges: ids.charges })
      : [];
    const transactions = ids.transactions.length > 0 ? await q.all<StoredTransaction>(pgSql.transactions, [ids.transactions]) : [];
    const reversed = ids.charges.length > 0 ? await q.all<{ reverses_id: string }>(pgSql.reversed, [ids.charges]) : [];
    return {
      seenEvents: new Set(seen.map((r) => r.id)),
      balances: new Map(balances.map((r) => [r.id, r.balance])),
      chatOwners: new Map(owners.map((r) => [r.id, r.customer_id])),
      runs: new Map(runs.map(({ id, ...run }) => [id, run])),
      transactions: new Map(transactions.map((t) => [t.id, t])),
      reversed: new Set(reversed.map((r) => r.reverses_id)),
    };
  },

  checkpoint: (q: Queryable, fileKey: string): Promise<ImportCheckpointRow | undefined> => q.get<ImportCheckpointRow>(pgSql.checkpoint, [fileKey]),
  createCheckpoint: async (q: Queryable, row: Pick<ImportCheckpointRow, 'file_key' | 'path' | 'size' | 'ledger_seq_before' | 'started_at'>): Promise<void> => {
    await q.run(pgSql.createCheckpoint, row);
  },
  /**
   * Locks the file's checkpoint row, first in a chunk's transaction: a second import of the file
   * waits there for the first's chunk to commit, then finds the checkpoint moved (and stops),
   * instead of waiting on the customers the first one holds. Returns the chunk count and whether
   * the file is finished.
   */
  lockCheckpoint: async (q: Queryable, fileKey: string): Promise<{ chunks: number; finished: boolean } | undefined> => {
    const row = await q.get<{ chunks: number; finished_at: string | null }>(pgSql.lockCheckpoint, [fileKey]);
    return row && { chunks: row.chunks, finished: row.finished_at !== null };
  },
  /** Moves the checkpoint past a chunk; false when another process moved it first (or it is finished). */
  advanceCheckpoint: async (q: Queryable, advance: CheckpointAdvance): Promise<boolean> => (await q.run(pgSql.advanceCheckpoint, advance)).changes === 1,
  /** Marks the file imported, adding the last rejections; false when another process moved the checkpoint first. */
  finishCheckpoint: async (q: Queryable, fileKey: string, chunks: number, finishedAt: string, rejected: number): Promise<boolean> =>
    (await q.run(pgSql.finishCheckpoint, { file_key: fileKey, chunks, finished_at: finishedAt, rejected })).changes === 1,

  readyWaiting: (q: Queryable, fileKey: string, limit: number): Promise<WaitingEventRow[]> => q.all<WaitingEventRow>(pgSql.readyWaiting, [fileKey, limit]),
  deleteWaiting: async (q: Queryable, fileKey: string, lines: readonly number[]): Promise<void> => {
    if (lines.length > 0) await q.run(pgSql.deleteWaiting, [fileKey, lines]);
  },
  markReady: async (q: Queryable, fileKey: string, keys: readonly string[]): Promise<void> => {
    if (keys.length > 0) await q.run(pgSql.markReady, [fileKey, keys]);
  },
  anyWaiting: async (q: Queryable, fileKey: string): Promise<boolean> => (await q.get<{ waiting: boolean }>(pgSql.anyWaiting, [fileKey]))?.waiting === true,
  waitingCount: async (q: Queryable, fileKey: string): Promise<number> => (await q.get<{ n: number }>(pgSql.waitingCount, [fileKey]))?.n ?? 0,
  waitingPage: (q: Queryable, fileKey: string, afterLine: number, limit: number): Promise<WaitingEventRow[]> =>
    q.all<WaitingEventRow>(pgSql.waitingPage, [fileKey, afterLine, limit]),
  deleteAllWaiting: async (q: Queryable, fileKey: string): Promise<void> => {
    await q.run(pgSql.deleteAllWaiting, [fileKey]);
  },

  upsertCustomers: async (q: Queryable, rows: readonly CustomerUpsert[]): Promise<void> => {
    if (rows.length === 0) return;
    await q.run(pgSql.upsertCustomers, [json(rows)]);
    await q.run(pgSql.customersSince, [json(rows)]);
  },
  upsertChats: async (q: Queryable, rows: readonly HistoryChatRow[]): Promise<void> => {
    if (rows.length > 0) await q.run(pgSql.upsertChats, [json(rows)]);
  },
  startRuns: async (q: Queryable, rows: readonly GenerationStart[]): Promise<void> => {
    if (rows.length > 0) await q.run(pgSql.startRuns, [json(rows)]);
  },
  /** Applies each outcome unless a later one (by occurred_at) is already in place. */
  finishRuns: async (q: Queryable, rows: readonly GenerationFinish[]): Promise<void> => {
    if (rows.length > 0) await q.run(pgSql.finishRuns, [json(rows)]);
  },
  insertAssets: async (q: Queryable, rows: readonly HistoryAssetRow[]): Promise<void> => {
    if (rows.length > 0) await q.run(pgSql.insertAssets, [json(rows)]);
  },

  /** No statement timeout on the loader's own connection: a chunk of many lines may take longer than a request may. */
  unlimitedStatements: async (client: pg.ClientBase): Promise<void> => {
    await client.query('SET statement_timeout = 0');
  },

  /**
   * Fresh planner statistics for the tables an import fills. Autovacuum's analyze comes some time
   * after a bulk load, and until it does, statements are planned for the tables as they were: the
   * plans the triggers and foreign keys cache on the loader's connection looked a refund's charge
   * up by scanning ledger_entries while it was near empty, and kept doing so as it grew (60 million
   * rows read to load 30,000 entries), and the closing ledger checks took minutes instead of
   * seconds. ANALYZE also makes the cached plans be made again. A login that does not own the
   * tables is only warned, and autovacuum does it later.
   */
  analyzeLoaded: async (client: pg.ClientBase): Promise<void> => {
    await client.query('ANALYZE customers, chats, generations, assets, ledger_entries, ingest_events');
  },
  /**
   * analyzeLoaded for some of the watched tables, between chunks or inside one: ANALYZE in the
   * chunk's transaction counts that transaction's own new rows, so the plans made again after it
   * see a table the chunk has just filled (the first chunk into an empty database).
   */
  analyzeTables: async (q: Queryable, tables: readonly (keyof LoadedTableRows)[]): Promise<void> => {
    if (tables.length > 0) await q.run(`ANALYZE ${tables.join(', ')}`);
  },
  /** About how many rows customers, generations and ledger_entries held at their last analyze (0 if never). */
  analyzedRows: async (q: Queryable): Promise<LoadedTableRows> => {
    const rows = await q.all<{ name: keyof LoadedTableRows; n: number }>(
      `SELECT relname AS name, GREATEST(reltuples, 0)::bigint AS n FROM pg_class
        WHERE oid IN ('customers'::regclass, 'generations'::regclass, 'ledger_entries'::regclass)`,
    );
    const found: LoadedTableRows = { customers: 0, generations: 0, ledger_entries: 0 };
    for (const row of rows) found[row.name] = row.n;
    return found;
  },

  /** New rows by COPY, on the connection whose transaction the chunk is. */
  copyCustomers: copier<HistoryCustomerRow>('customers', ['id', 'name', 'email', 'plan', 'time_zone', 'created_at', 'source_at']),
  copyChats: copier<HistoryChatRow>('chats', ['id', 'customer_id', 'title', 'created_at', 'source_at']),
  copyGenerations: copier<HistoryGenerationRow>('generations', [
    'id', 'chat_id', 'customer_id', 'tool', 'model', 'prompt', 'status', 'error_code', 'error_message', 'started_at', 'finished_at', 'source_at', 'status_at',
  ]),
  /** In the order given: the guard checks each entry's running balance against the one before (migration 008). */
  copyLedgerEntries: copier<NewLedgerEntry>('ledger_entries', [
    'id', 'customer_id', 'kind', 'amount', 'balance_after', 'created_at', 'recorded_at', 'generation_id', 'chat_id', 'tool', 'reverses_id', 'credit_id',
  ]),
  copyProcessedEvents: copier<ProcessedEventRow>('ingest_events', ['id', 'type', 'occurred_at', 'received_at', 'outcome']),
  copyWaiting: copier<WaitingEventRow>('import_waiting', ['file_key', 'line', 'event_id', 'type', 'occurred_at', 'waits_for', 'payload']),
  copyRejections: copier<RejectionRow>('import_rejections', ['file_key', 'line', 'event_id', 'reason']),
};

/**
 * Runs `work` as one transaction on `client`, a connection the caller holds alone, with a seam
 * Transaction over it (savepoints, afterCommit) for the code that speaks the seam (the audit
 * chain, live ingestion); raw statements such as COPY go on `client` itself, in the same
 * transaction. Committed when `work` resolves (afterCommit callbacks then run), rolled back when it
 * throws; the error passed on is `work`'s, even if the rollback fails too (a connection that broke
 * fails the next BEGIN, which stops the import).
 */
export async function inClientTransaction<T>(client: pg.ClientBase, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const committed: (() => void)[] = [];
  const tx = transactionOf(client, committed);
  await client.query('BEGIN');
  try {
    const value = await work(tx);
    await client.query('COMMIT');
    for (const callback of committed) queueMicrotask(callback);
    return value;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Runs `work` on a read-only REPEATABLE READ snapshot on `client`, a connection the caller holds
 * alone (the loader's, without the pool's statement timeout: the closing checks read every entry
 * of the import).
 */
export async function inClientSnapshot<T>(client: pg.ClientBase, work: (snapshot: Queryable) => Promise<T>): Promise<T> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    return await work(snapshotOf(client));
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
  }
}

