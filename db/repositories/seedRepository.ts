import type { Db } from '../connection.ts';
import type { AssetListRow } from './assetQueries.ts';
import type { ChatRow } from './chatRepository.ts';
import type { NewCustomer } from './customerRepository.ts';
import type { NewGeneration } from './generationRepository.ts';
import type { NewLedgerEntry } from './ledgerRepository.ts';

export type NewAsset = AssetListRow;

/**
 * Rows per multi-row INSERT. One statement step then carries this many rows,
 * which saves most of the per-call cost (binding, stepping, resetting); the
 * triggers still run for every row, in order.
 */
const ROWS_PER_STATEMENT = 32;

/**
 * Inserts rows of one table in order: full groups through one multi-row
 * statement, the rest one by one. Both statements are prepared once. They
 * bind by position because a 32-row VALUES list has no sensible names; the
 * column list below is the one place that fixes the order.
 */
function batchInserter<Row>(db: Db, table: string, columns: ReadonlyArray<keyof Row & string>) {
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  const sql = (rows: number) => `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}`;
  const many = db.prepare(sql(ROWS_PER_STATEMENT));
  const one = db.prepare(sql(1));
  const values: unknown[] = new Array(ROWS_PER_STATEMENT * columns.length);
  const width = columns.length;
  return (rows: readonly Row[]): void => {
    let next = 0;
    for (; next + ROWS_PER_STATEMENT <= rows.length; next += ROWS_PER_STATEMENT) {
      for (let r = 0; r < ROWS_PER_STATEMENT; r++) {
        const row = rows[next + r];
        for (let c = 0; c < width; c++) values[r * width + c] = row[columns[c]];
      }
      many.run(values);
    }
    for (; next < rows.length; next++) {
      const row = rows[next];
      one.run(columns.map((column) => row[column]));
    }
  };
}

/**
 * The bulk path of `npm run seed`: plain inserts, each row in its final
 * state. Nothing here bypasses the schema: the ledger triggers check every
 * balance_after and keep balances and run counters, foreign keys and CHECKs
 * hold, every index is in place. Callers insert parents first (customers,
 * chats, runs, then ledger entries and assets).
 */
export function createSeedRepository(db: Db) {
  const anyCustomer = db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM customers)').pluck();
  return {
    hasCustomers: (): boolean => anyCustomer.get() === 1,
    insertCustomers: batchInserter<NewCustomer>(db, 'customers', ['id', 'name', 'email', 'plan', 'time_zone', 'created_at', 'source_at']),
    insertChats: batchInserter<ChatRow>(db, 'chats', ['id', 'customer_id', 'title', 'created_at']),
    insertGenerations: batchInserter<NewGeneration>(db, 'generations', [
      'id', 'chat_id', 'customer_id', 'tool', 'model', 'prompt', 'status', 'error_code', 'error_message', 'started_at', 'finished_at', 'status_at',
    ]),
    insertAssets: batchInserter<NewAsset>(db, 'assets', [
      'id', 'generation_id', 'customer_id', 'kind', 'mime', 'url', 'thumbnail_url', 'width', 'height', 'duration_ms', 'bytes', 'created_at',
    ]),
    insertLedgerEntries: batchInserter<NewLedgerEntry>(db, 'ledger_entries', [
      'id', 'customer_id', 'kind', 'amount', 'balance_after', 'created_at', 'recorded_at', 'generation_id', 'chat_id', 'tool', 'reverses_id', 'credit_id',
    ]),
    /**
     * Tunes this connection for a bulk load and returns the undo: a page cache
     * of `cacheKib` KiB (0 keeps the current one), so the indexes that take
     * rows all over their key range stay in memory; and statement journals in
     * memory. Every insert here fires triggers, so SQLite keeps a journal of
     * the pages each statement changes, to undo just that statement if a
     * check fails; in a temporary file that is one write call per page touched,
     * tens of gigabytes over a large load.
     */
    tuneForBulkLoad: (cacheKib: number): (() => void) => {
      const previousCache = db.pragma('cache_size', { simple: true }) as number;
      const previousTempStore = db.pragma('temp_store', { simple: true }) as number;
      if (cacheKib > 0) db.pragma(`cache_size = ${-Math.floor(cacheKib)}`);
      db.pragma('temp_store = MEMORY');
      return () => {
        db.pragma(`cache_size = ${previousCache}`);
        db.pragma(`temp_store = ${previousTempStore}`);
      };
    },
  };
}
export type SeedRepository = ReturnType<typeof createSeedRepository>;
