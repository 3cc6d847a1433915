import type { Db } from '../connection.ts';
import { batchInserter } from './batchInsert.ts';
import type { AssetListRow } from './assetQueries.ts';
import type { ChatRow } from './chatRepository.ts';
import type { NewCustomer } from './customerRepository.ts';
import type { NewGeneration } from './generationRepository.ts';
import type { NewLedgerEntry } from './ledgerRepository.ts';

export type NewAsset = AssetListRow;

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
