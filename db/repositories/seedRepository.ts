import type { BulkWriter } from '../bulk/types.ts';
import type { AssetListRow } from './assetQueries.ts';
import type { ChatRow } from './chatRepository.ts';
import type { NewCustomer } from './customerRepository.ts';
import type { NewGeneration } from './generationRepository.ts';
import type { NewLedgerEntry } from './ledgerRepository.ts';

export type NewAsset = AssetListRow;

/**
 * The tables `npm run seed` fills, through the engine's bulk writer (db/bulk/): plain inserts,
 * each row in its final state. Nothing here bypasses the schema: the ledger triggers check every
 * balance_after and keep balances and run counters, foreign keys and CHECKs hold, every index is
 * in place. Callers insert parents first (customers, chats, runs, then ledger entries and assets).
 */
export function seedTables(bulk: BulkWriter) {
  return {
    insertCustomers: bulk.table<NewCustomer>('customers', ['id', 'name', 'email', 'plan', 'time_zone', 'created_at', 'source_at']),
    insertChats: bulk.table<ChatRow>('chats', ['id', 'customer_id', 'title', 'created_at']),
    insertGenerations: bulk.table<NewGeneration>('generations', [
      'id', 'chat_id', 'customer_id', 'tool', 'model', 'prompt', 'status', 'error_code', 'error_message', 'started_at', 'finished_at', 'status_at',
    ]),
    insertAssets: bulk.table<NewAsset>('assets', [
      'id', 'generation_id', 'customer_id', 'kind', 'mime', 'url', 'thumbnail_url', 'width', 'height', 'duration_ms', 'bytes', 'created_at',
    ]),
    insertLedgerEntries: bulk.table<NewLedgerEntry>('ledger_entries', [
      'id', 'customer_id', 'kind', 'amount', 'balance_after', 'created_at', 'recorded_at', 'generation_id', 'chat_id', 'tool', 'reverses_id', 'credit_id',
    ]),
  };
}
export type SeedTables = ReturnType<typeof seedTables>;
