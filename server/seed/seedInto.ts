import { createSqliteBulkWriter } from '../../db/bulk/sqliteBulk.ts';
import type { AppContext } from '../context.ts';
import { loadCacheKib, loadDataset, type DatasetSummary, type LoadOptions } from './dataset.ts';

/** Loads the dataset into the context's database through that engine's bulk writer. */
export async function seedInto(ctx: AppContext, options: LoadOptions): Promise<DatasetSummary> {
  const bulk = createSqliteBulkWriter(ctx.db, { cacheKib: loadCacheKib(options.scale) });
  try {
    return await loadDataset({ bulk, storage: ctx.storage, audit: ctx.audit, clock: ctx.clock }, options);
  } finally {
    await bulk.release();
  }
}
