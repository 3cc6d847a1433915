import type { Queryable, Transaction } from '../storage/types.ts';
import type { HistoryChatRow, HistoryCustomerRow, HistoryGenerationRow, ProcessedEventRow } from './historyImportRepository.ts';
import type { NewLedgerEntry } from './ledgerRepository.ts';

/**
 * The new rows of a folded ingestion batch on PostgreSQL (server/ingest/foldedBatch.ts): each
 * table's rows in one INSERT over a JSON array, one round trip per table instead of one per event.
 * Plain inserts: a row another batch stored meanwhile is refused (23505) and the batch goes the
 * per-event way. Every trigger, CHECK, foreign key and index applies to each row.
 */
const sql = {
  insertCustomers: `INSERT INTO customers (id, name, email, plan, time_zone, created_at, source_at)
    SELECT id, name, email, plan, time_zone, created_at, source_at FROM json_populate_recordset(NULL::customers, ?::json)`,
  insertChats: `INSERT INTO chats (id, customer_id, title, created_at, source_at)
    SELECT id, customer_id, title, created_at, source_at FROM json_populate_recordset(NULL::chats, ?::json)`,
  insertGenerations: `INSERT INTO generations
      (id, chat_id, customer_id, tool, model, prompt, status, error_code, error_message, started_at, finished_at, source_at, status_at)
    SELECT id, chat_id, customer_id, tool, model, prompt, status, error_code, error_message, started_at, finished_at, source_at, status_at
      FROM json_populate_recordset(NULL::generations, ?::json)`,
  // In the array's order: the ledger guard checks each entry's running balance against the one before.
  insertLedgerEntries: `INSERT INTO ledger_entries
      (id, customer_id, kind, amount, balance_after, created_at, recorded_at, generation_id, chat_id, tool, reverses_id, credit_id)
    SELECT r.id, r.customer_id, r.kind, r.amount, r.balance_after, r.created_at, r.recorded_at, r.generation_id, r.chat_id, r.tool,
        r.reverses_id, r.credit_id
      FROM json_array_elements(?::json) WITH ORDINALITY AS a(row, n), json_populate_record(NULL::ledger_entries, a.row) r ORDER BY a.n`,
  insertProcessed: `INSERT INTO ingest_events (id, type, occurred_at, received_at, outcome)
    SELECT id, type, occurred_at, received_at, outcome FROM json_populate_recordset(NULL::ingest_events, ?::json)`,
  anyWaitingFor: 'SELECT EXISTS (SELECT 1 FROM ingest_held WHERE waits_for = ANY(?::text[])) AS waiting',
};

const insertAll = <Row extends object>(statement: string) => async (tx: Transaction, rows: readonly Row[]): Promise<void> => {
  if (rows.length > 0) await tx.run(statement, [JSON.stringify(rows)]);
};

export const foldedIngestRepository = {
  insertCustomers: insertAll<HistoryCustomerRow>(sql.insertCustomers),
  insertChats: insertAll<HistoryChatRow>(sql.insertChats),
  insertGenerations: insertAll<HistoryGenerationRow>(sql.insertGenerations),
  insertLedgerEntries: insertAll<NewLedgerEntry>(sql.insertLedgerEntries),
  insertProcessed: insertAll<ProcessedEventRow>(sql.insertProcessed),
  /** Whether an event in ingest_held waits for any of `keys` (`customer:cus_1`, …). */
  anyWaitingFor: async (q: Queryable, keys: readonly string[]): Promise<boolean> =>
    keys.length > 0 && (await q.get<{ waiting: boolean }>(sql.anyWaitingFor, [keys]))?.waiting === true,
};
