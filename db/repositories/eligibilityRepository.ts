import type { RefundState } from '../../shared/refundState.ts';
import type { Db } from '../connection.ts';
import { refundStateSql } from './refundStateSql.ts';

export interface EligibilityRow {
  id: string;
  customer_id: string;
  chat_id: string;
  tool: string;
  status: string;
  finished_at: string | null;
  tokens_charged: number;
  tokens_auto_refunded: number;
  tokens_credited: number;
  tokens_reserved: number;
  auto_refund_id: string | null;
  auto_refund_at: string | null;
  refund_state: RefundState;
}

export interface EntryRef {
  id: string;
  created_at: string;
}

export interface CreditEntryRef extends EntryRef {
  /** 1 when every applied credit of the run has reached the studio (docs/integration.md). */
  delivered: 0 | 1;
}

/** What decides whether a run can still be credited, and what stands in the way. */
export function createEligibilityRepository(db: Db) {
  const run = db.prepare<{ id: string; grace_cutoff: string }, EligibilityRow>(`SELECT g.id, g.customer_id, g.chat_id, g.tool,
      g.status, g.finished_at, g.tokens_charged, g.tokens_auto_refunded, g.tokens_credited, g.tokens_reserved, g.auto_refund_id,
      (SELECT l.created_at FROM ledger_entries l WHERE l.id = g.auto_refund_id) AS auto_refund_at,
      ${refundStateSql} AS refund_state
    FROM generations g WHERE g.id = @id`);
  const lastCredit = db.prepare<[string], CreditEntryRef>(`SELECT l.id, l.created_at,
      NOT EXISTS (SELECT 1 FROM credit_items i2 JOIN credits c2 ON c2.id = i2.credit_id JOIN credit_events e ON e.id = c2.transaction_id
                   WHERE i2.generation_id = i.generation_id AND c2.status = 'applied' AND e.state <> 'delivered') AS delivered
    FROM credit_items i
      JOIN credits c ON c.id = i.credit_id JOIN ledger_entries l ON l.id = c.transaction_id
    WHERE i.generation_id = ? AND c.status = 'applied' ORDER BY l.created_at DESC, l.seq DESC LIMIT 1`);
  const pendingCredit = db.prepare<[string], EntryRef>(`SELECT c.id, c.created_at FROM credit_items i JOIN credits c ON c.id = i.credit_id
    WHERE i.generation_id = ? AND c.status = 'pending_approval' ORDER BY c.created_at DESC LIMIT 1`);
  const dailyTotal = db
    .prepare<{ staff_id: string; day: string }, number>('SELECT open_tokens FROM credit_day_totals WHERE staff_id = @staff_id AND day = @day')
    .pluck();

  return {
    run: (id: string, graceCutoff: string): EligibilityRow | undefined => run.get({ id, grace_cutoff: graceCutoff }),
    /** The newest applied manual credit entry that returned tokens for the run, and whether the studio has them all. */
    lastCreditEntry: (generationId: string): CreditEntryRef | undefined => lastCredit.get(generationId),
    pendingCredit: (generationId: string): EntryRef | undefined => pendingCredit.get(generationId),
    /** The tokens of a staff member's applied and pending credits requested on a UTC day (YYYY-MM-DD). */
    dailyTotal: (staffId: string, day: string): number => dailyTotal.get({ staff_id: staffId, day }) ?? 0,
  };
}
export type EligibilityRepository = ReturnType<typeof createEligibilityRepository>;
