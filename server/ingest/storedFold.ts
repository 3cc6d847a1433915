import {
  postgresHistoryImport as repo,
  type RecordIds,
  type StoredRecordsFound,
} from '../../db/repositories/historyImportRepository.ts';
import type { Queryable } from '../../db/storage/types.ts';
import { foldWindow, idsOf, type StoredRecords, type WindowItem, type WindowPlan } from './history/historyWindow.ts';

/**
 * A window of events folded against the records its events name, read first on PostgreSQL, one
 * statement per table (the fold's lookups are synchronous). Should the fold ask for a record no
 * read covered, those ids are read as well and the window folded again: the fold is pure, so only
 * the last one counts. `held`: whether any event waits anywhere (else those tables are not read);
 * `seenIn`: which events count as seen before (StoredRecordsFound.seenEvents, prefetch), asked for
 * the window's events and for the ids `alsoSeen` (the fold ignores what it did not ask). Used by
 * the history import's chunks and by live ingestion's folded batches (foldedBatch.ts).
 */
export async function foldAgainstStored(
  q: Queryable,
  items: readonly WindowItem[],
  now: string,
  held: boolean,
  seenIn: 'import' | 'live',
  alsoSeen: readonly string[] = [],
): Promise<{ plan: WindowPlan; found: StoredRecordsFound }> {
  const named = idsOf(items);
  let ids = { ...named, events: [...named.events, ...alsoSeen] };
  for (;;) {
    const found = await repo.prefetch(q, ids, held, seenIn);
    const { stored, missed } = lookupsFrom(ids, found);
    const plan = foldWindow(items, stored, now);
    if (isEmpty(missed)) return { plan, found };
    ids = merged(ids, missed);
  }
}

const noIds = (): RecordIds => ({ events: [], customers: [], chats: [], runs: [], transactions: [], charges: [] });
const isEmpty = (ids: RecordIds): boolean => Object.values(ids).every((list: string[]) => list.length === 0);
const merged = (a: RecordIds, b: RecordIds): RecordIds => ({
  events: a.events, customers: [...a.customers, ...b.customers], chats: [...a.chats, ...b.chats], runs: [...a.runs, ...b.runs],
  transactions: [...a.transactions, ...b.transactions], charges: [...a.charges, ...b.charges],
});

/**
 * The fold's synchronous lookups answered from what was read for `ids`; a lookup of an id no read
 * covered answers "not stored" and is noted in `missed`, for the caller to read and fold again.
 */
function lookupsFrom(ids: RecordIds, found: StoredRecordsFound): { stored: StoredRecords; missed: RecordIds } {
  const missed = noIds();
  const asked = {
    customers: new Set(ids.customers), chats: new Set(ids.chats), transactions: new Set(ids.transactions), charges: new Set(ids.charges),
    // The read of runs also brought the runs of the named charges.
    runs: new Set([...ids.runs, ...found.runs.keys()]),
  };
  const answer = <T>(kind: keyof typeof asked, id: string, value: T | undefined): T | undefined => {
    if (!asked[kind].has(id)) {
      asked[kind].add(id);
      missed[kind].push(id);
    }
    return value;
  };
  return {
    missed,
    stored: {
      prefetch: () => found,
      customerBalance: (id) => answer('customers', id, found.balances.get(id)),
      chatOwner: (id) => answer('chats', id, found.chatOwners.get(id)),
      run: (id) => answer('runs', id, found.runs.get(id)),
      transaction: (id) => answer('transactions', id, found.transactions.get(id)),
      isReversed: (chargeId) => answer('charges', chargeId, found.reversed.has(chargeId)) === true,
    },
  };
}
