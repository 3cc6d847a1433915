import { foldedIngestRepository as written } from '../../db/repositories/foldedIngestRepository.ts';
import { postgresHistoryImport } from '../../db/repositories/historyImportRepository.ts';
import { sqlState } from '../../db/storage/postgresStorage.ts';
import type { Transaction } from '../../db/storage/types.ts';
import type { IngestResult } from '../../shared/ingestEvents.ts';
import type { WindowItem, WindowPlan } from './history/historyWindow.ts';
import { foldAgainstStored } from './storedFold.ts';

/**
 * A batch of live ingestion applied set-based on PostgreSQL, where every statement is a round trip:
 * the records its events name read once per table, the events folded in order by the history
 * import's pure logic (historyWindow.ts: the same rules as the per-event path, ingestRules.ts), and
 * each table's new rows written by one statement. Only a plain batch is folded — nothing to hold in
 * ingest_held or release from it, no studio echo, no auto-refund that undoes a console credit: for
 * anything else `applyFolded` answers null having written nothing, and the caller applies the batch
 * event by event in the same transaction. A write the database refuses (another batch stored the
 * same event meanwhile, a guard) rolls the folded writes back and answers null too.
 *
 * `invalidIds`: events whose data their schema refuses (error items). The per-event path counts one
 * a duplicate when its id was seen before, so a batch with such an id seen is not folded.
 */
export async function applyFolded(tx: Transaction, items: readonly WindowItem[], invalidIds: ReadonlySet<string>, receivedAt: string): Promise<IngestResult | null> {
  const held = await postgresHistoryImport.anyHeldLive(tx);
  const { plan, found } = await foldAgainstStored(tx, items, receivedAt, held, 'live', [...invalidIds]);
  if (plan.parked > 0 || plan.throughLivePath.length > 0) return null;
  if (invalidIds.size > 0 && seenBefore(items, invalidIds, found.seenEvents)) return null;
  if (held && (await written.anyWaitingFor(tx, plan.storedKeys))) return null;
  try {
    await tx.savepoint((sp) => write(sp, plan));
  } catch (error) {
    if (sqlState(error)?.startsWith('23')) return null;
    throw error;
  }
  return {
    accepted: plan.counts.applied,
    duplicates: plan.counts.duplicates,
    rejected: plan.rejections.map((rejection) => ({ id: rejection.event_id, error: rejection.reason })),
  };
}

/** Whether an event refused by its schema has an id stored before or carried by another event of the batch. */
function seenBefore(items: readonly WindowItem[], invalidIds: ReadonlySet<string>, stored: ReadonlySet<string>): boolean {
  for (const id of invalidIds) if (stored.has(id)) return true;
  return items.some((item) => 'event' in item && invalidIds.has(item.event.id));
}

/** Parents first, as the per-event path writes them: customers, chats, runs, then entries, assets and the events' ids. */
async function write(tx: Transaction, plan: WindowPlan): Promise<void> {
  await written.insertCustomers(tx, plan.newCustomers);
  await postgresHistoryImport.upsertCustomers(tx, plan.storedCustomers);
  await written.insertChats(tx, plan.newChats);
  await postgresHistoryImport.upsertChats(tx, plan.storedChats);
  await written.insertGenerations(tx, plan.newRuns);
  await postgresHistoryImport.startRuns(tx, plan.storedRunStarts);
  await postgresHistoryImport.finishRuns(tx, plan.storedRunFinishes);
  await written.insertLedgerEntries(tx, plan.ledger);
  await postgresHistoryImport.insertAssets(tx, plan.assets);
  await written.insertProcessed(tx, plan.processed);
}
