import type { Db } from '../connection.ts';
import type { AssetListRow } from './assetQueries.ts';
import { batchInserter } from './batchInsert.ts';
import type { ChatRow } from './chatRepository.ts';
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
