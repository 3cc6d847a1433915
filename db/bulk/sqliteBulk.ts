import type { Db } from '../connection.ts';
import { batchInserter } from '../repositories/batchInsert.ts';
import type { BulkWriter } from './types.ts';

/**
 * The bulk writer on SQLite: multi-row INSERTs (db/repositories/batchInsert.ts) on the writing
 * connection, in `BEGIN IMMEDIATE` transactions. Its inserts run synchronously, so a transaction's
 * work never yields the event loop to other code on that connection while it is open.
 * `cacheKib` raises the connection's page cache for the load (0 keeps it), and statement journals
 * go to memory: each insert fires triggers, so SQLite journals the pages each statement changes,
 * which in a temporary file is one write call per page, tens of gigabytes over a large load.
 */
export function createSqliteBulkWriter(db: Db, options: { cacheKib?: number } = {}): BulkWriter {
  const previousCache = db.pragma('cache_size', { simple: true }) as number;
  const previousTempStore = db.pragma('temp_store', { simple: true }) as number;
  if (options.cacheKib) db.pragma(`cache_size = ${-Math.floor(options.cacheKib)}`);
  db.pragma('temp_store = MEMORY');
  return {
    engine: 'sqlite',
    table<Row>(table: string, columns: ReadonlyArray<keyof Row & string>) {
      const insert = batchInserter<Row>(db, table, columns);
      return async (rows: readonly Row[]) => insert(rows);
    },
    async transaction<T>(work: () => Promise<T>): Promise<T> {
      db.exec('BEGIN IMMEDIATE');
      try {
        const value = await work();
        db.exec('COMMIT');
        return value;
      } catch (error) {
        if (db.inTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
    hasRows: async (table: string) => db.prepare(`SELECT 1 FROM ${table} LIMIT 1`).get() !== undefined,
    async release() {
      db.pragma(`cache_size = ${previousCache}`);
      db.pragma(`temp_store = ${previousTempStore}`);
    },
  };
}
