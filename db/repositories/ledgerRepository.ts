import type { Db } from '../connection.ts';

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

export function createLedgerRepository(db: Db) {
  const balance = db.prepare<[string], number>('SELECT balance FROM customers WHERE id = ?').pluck();
  const insert = db.prepare<NewLedgerEntry>(`INSERT INTO ledger_entries
    (id, customer_id, kind, amount, balance_after, created_at, recorded_at, generation_id, chat_id, tool, reverses_id, credit_id)
    VALUES (@id, @customer_id, @kind, @amount, @balance_after, @created_at, @recorded_at, @generation_id, @chat_id, @tool, @reverses_id, @credit_id)`);
  const byId = db.prepare<[string], LedgerEntryRow>('SELECT * FROM ledger_entries WHERE id = ?');
  const forGeneration = db.prepare<[string], LedgerEntryRow>(
    'SELECT * FROM ledger_entries WHERE generation_id = ? ORDER BY created_at, seq',
  );
  const reversalOf = db.prepare<[string], LedgerEntryRow>('SELECT * FROM ledger_entries WHERE reverses_id = ?');

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
