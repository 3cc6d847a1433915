import type { Db } from '../connection.ts';
import type { Queryable, Transaction } from '../storage/types.ts';

export const ledgerKinds = ['purchase', 'plan_grant', 'charge', 'auto_refund', 'manual_credit', 'credit_void'] as const;
export type LedgerKind = (typeof ledgerKinds)[number];

export interface LedgerEntryRow {
  seq: number;
  id: string;
  customer_id: string;
  kind: LedgerKind;
  amount: number;
  balance_after: number;
  created_at: string;
  recorded_at: string;
  generation_id: string | null;
  chat_id: string | null;
  tool: string | null;
  reverses_id: string | null;
  credit_id: string | null;
}

export type NewLedgerEntry = Omit<LedgerEntryRow, 'seq'>;

const sql = {
  balance: 'SELECT balance FROM customers WHERE id = ?',
  insert: `INSERT INTO ledger_entries
    (id, customer_id, kind, amount, balance_after, created_at, recorded_at, generation_id, chat_id, tool, reverses_id, credit_id)
    VALUES (@id, @customer_id, @kind, @amount, @balance_after, @created_at, @recorded_at, @generation_id, @chat_id, @tool, @reverses_id, @credit_id)`,
  byId: 'SELECT * FROM ledger_entries WHERE id = ?',
  forGeneration: 'SELECT * FROM ledger_entries WHERE generation_id = ? ORDER BY created_at, seq',
  reversalOf: 'SELECT * FROM ledger_entries WHERE reverses_id = ?',
};

/** The ledger through the storage seam (db/storage/types.ts). */
export const ledgerRepository = {
  /**
   * The cached balance, read to post the next entry: on PostgreSQL the customer's row stays locked
   * until the transaction ends, so posts for one customer follow each other (docs/postgres.md).
   */
  balanceForPosting: async (tx: Transaction, customerId: string): Promise<number | undefined> =>
    (await tx.get<{ balance: number }>({ sqlite: sql.balance, postgres: `${sql.balance} FOR UPDATE` }, [customerId]))?.balance,
  balanceOf: async (q: Queryable, customerId: string): Promise<number | undefined> =>
    (await q.get<{ balance: number }>(sql.balance, [customerId]))?.balance,
  insert: async (tx: Transaction, entry: NewLedgerEntry): Promise<void> => {
    await tx.run(sql.insert, entry);
  },
  byId: (q: Queryable, id: string): Promise<LedgerEntryRow | undefined> => q.get(sql.byId, [id]),
  forGeneration: (q: Queryable, generationId: string): Promise<LedgerEntryRow[]> => q.all(sql.forGeneration, [generationId]),
  reversalOf: (q: Queryable, entryId: string): Promise<LedgerEntryRow | undefined> => q.get(sql.reversalOf, [entryId]),
};

export function createLedgerRepository(db: Db) {
  const balance = db.prepare<[string], number>(sql.balance).pluck();
  const insert = db.prepare<NewLedgerEntry>(sql.insert);
  const byId = db.prepare<[string], LedgerEntryRow>(sql.byId);
  const forGeneration = db.prepare<[string], LedgerEntryRow>(sql.forGeneration);
  const reversalOf = db.prepare<[string], LedgerEntryRow>(sql.reversalOf);

  return {
    /** The cached balance (kept equal to the entries' sum by the database), or undefined for an unknown customer. */
    balanceOf: (customerId: string): number | undefined => balance.get(customerId),
    insert: (entry: NewLedgerEntry): void => {
      insert.run(entry);
    },
    byId: (id: string): LedgerEntryRow | undefined => byId.get(id),
    forGeneration: (generationId: string): LedgerEntryRow[] => forGeneration.all(generationId),
    reversalOf: (entryId: string): LedgerEntryRow | undefined => reversalOf.get(entryId),
  };
}
export type LedgerRepository = ReturnType<typeof createLedgerRepository>;
