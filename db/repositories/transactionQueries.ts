import { nameFilterSchema } from '../../shared/listQuery.ts';
import { ledgerKindSchema } from '../../shared/records.ts';
import type { NewLedgerEntry } from './ledgerRepository.ts';
import { filterOn, listStatements, type ListSpec } from './listStatements.ts';

/** A ledger entry as lists show it (everything but the internal `seq`). */
export type TransactionListRow = NewLedgerEntry;

export const transactionListSpec: ListSpec = {
  select: `SELECT l.id, l.customer_id, l.kind, l.amount, l.balance_after, l.created_at, l.recorded_at,
      l.generation_id, l.chat_id, l.tool, l.reverses_id, l.credit_id
    FROM ledger_entries l`,
  from: 'ledger_entries l',
  // seq is the rowid: ledger_customer_time and ledger_chat_time end with it, so (created_at, seq) needs no sort.
  key: 'l.seq',
  idColumn: 'l.id',
  filters: {
    id: filterOn.key('l.id', 0),
    generation_id: filterOn.key('l.generation_id', 1),
    chat_id: filterOn.key('l.chat_id', 2, true),
    customer_id: filterOn.key('l.customer_id', 3, true),
    // Every kind but charge is rare: the partial index ledger_uncommon_kind (002) holds them.
    kind: filterOn.equals('l.kind', ledgerKindSchema, (kind) => (kind === 'charge' ? undefined : "l.kind <> 'charge'")),
    tool: filterOn.equals('l.tool', nameFilterSchema),
    created_at_gte: filterOn.time('l.created_at', 'gte'),
    created_at_lte: filterOn.time('l.created_at', 'lte'),
  },
  sorts: {
    created_at: { expr: 'l.created_at' },
    id: { expr: 'l.id', narrowedOnly: true },
    amount: { expr: 'l.amount', narrowedOnly: true },
    kind: { expr: 'l.kind', narrowedOnly: true },
    tool: { expr: 'l.tool', nullable: true, narrowedOnly: true },
  },
  defaultSort: { field: 'created_at', order: 'DESC' },
  totals: 'capped',
};

/** Lists of ledger entries (the `transactions` resource) through the storage seam. */
export const transactionQueries = listStatements<TransactionListRow>(transactionListSpec);
