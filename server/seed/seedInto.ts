import { createPostgresBulkWriter } from '../../db/bulk/postgresBulk.ts';
import { createSqliteBulkWriter } from '../../db/bulk/sqliteBulk.ts';
import type { BulkWriter } from '../../db/bulk/types.ts';
import type { AppContext } from '../context.ts';
import { loadCacheKib, loadDataset, type DatasetSummary, type LoadOptions } from './dataset.ts';

/** Loads the dataset into the context's database through that engine's bulk writer. */
export async function seedInto(ctx: AppContext, options: LoadOptions): Promise<DatasetSummary> {
  const { database } = ctx;
  const bulk: BulkWriter = database.engine === 'sqlite'
    ? createSqliteBulkWriter(database.db, { cacheKib: loadCacheKib(options.scale) })
    : await createPostgresBulkWriter(database.pool);
  try {
    return await loadDataset({ bulk, storage: ctx.storage, audit: ctx.audit, clock: ctx.clock }, options);
  } finally {
    await bulk.release();
  }
}
