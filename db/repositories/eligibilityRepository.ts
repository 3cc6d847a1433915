import type { RefundState } from '../../shared/refundState.ts';
import type { Queryable, Transaction } from '../storage/types.ts';
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

const sql = {
  run: `SELECT g.id, g.customer_id, g.chat_id, g.tool,
      g.status, g.finished_at, g.tokens_charged, g.tokens_auto_refunded, g.tokens_credited, g.tokens_reserved, g.auto_refund_id,
      (SELECT l.created_at FROM ledger_entries l WHERE l.id = g.auto_refund_id) AS auto_refund_at,
      ${refundStateSql} AS refund_state
    FROM generations g WHERE g.id = @id`,
  // CASE rather than a bare NOT EXISTS: PostgreSQL would answer a boolean, SQLite 0 or 1.
  lastCredit: `SELECT l.id, l.created_at,
      CASE WHEN NOT EXISTS (SELECT 1 FROM credit_items i2 JOIN credits c2 ON c2.id = i2.credit_id JOIN credit_events e ON e.id = c2.transaction_id
                   WHERE i2.generation_id = i.generation_id AND c2.status = 'applied' AND e.state <> 'delivered') THEN 1 ELSE 0 END AS delivered
    FROM credit_items i
      JOIN credits c ON c.id = i.credit_id JOIN ledger_entries l ON l.id = c.transaction_id
    WHERE i.generation_id = ? AND c.status = 'applied' ORDER BY l.created_at DESC, l.seq DESC LIMIT 1`,
  pendingCredit: `SELECT c.id, c.created_at FROM credit_items i JOIN credits c ON c.id = i.credit_id
    WHERE i.generation_id = ? AND c.status = 'pending_approval' ORDER BY c.created_at DESC LIMIT 1`,
  dailyTotal: 'SELECT open_tokens FROM credit_day_totals WHERE staff_id = @staff_id AND day = @day',
  dailyTotalLocked: 'SELECT open_tokens FROM credit_day_totals WHERE staff_id = @staff_id AND day = @day FOR UPDATE',
  // Locks taken in id order, so that two grants over the same runs never wait for each other crosswise.
  lockRuns: `SELECT id FROM generations WHERE id IN (SELECT value FROM json_array_elements_text(CAST(? AS json))) ORDER BY id FOR UPDATE`,
  lockRunsOfCredit: `SELECT g.id FROM generations g JOIN credit_items i ON i.generation_id = g.id
    WHERE i.credit_id = ? ORDER BY g.id FOR UPDATE OF g`,
  // The day's row exists before it is locked: a lock on a missing row would hold nothing.
  ensureDayTotal: 'INSERT INTO credit_day_totals (staff_id, day) VALUES (@staff_id, @day) ON CONFLICT DO NOTHING',
};

/** What decides whether a run can still be credited, through the storage seam (db/storage/types.ts). */
export const eligibilityRepository = {
  run: (q: Queryable, id: string, graceCutoff: string): Promise<EligibilityRow | undefined> => q.get(sql.run, { id, grace_cutoff: graceCutoff }),
  /**
   * Locks the runs a grant covers until the transaction ends (PostgreSQL; SQLite's one writer
   * needs none): a concurrent grant over one of them waits, then reads what this one left.
   */
  lockRuns: async (tx: Transaction, generationIds: readonly string[]): Promise<void> => {
    if (tx.engine === 'postgres' && generationIds.length > 0) await tx.all(sql.lockRuns, [JSON.stringify(generationIds)]);
  },
  /** `lockRuns` for the runs of a grant already stored. */
  lockRunsOfCredit: async (tx: Transaction, creditId: string): Promise<void> => {
    if (tx.engine === 'postgres') await tx.all(sql.lockRunsOfCredit, [creditId]);
  },
  /** The newest applied manual credit entry that returned tokens for the run, and whether the studio has them all. */
  lastCreditEntry: (q: Queryable, generationId: string): Promise<CreditEntryRef | undefined> => q.get(sql.lastCredit, [generationId]),
  pendingCredit: (q: Queryable, generationId: string): Promise<EntryRef | undefined> => q.get(sql.pendingCredit, [generationId]),
  /**
   * The tokens of a staff member's applied and pending credits requested on a UTC day (YYYY-MM-DD),
   * for the daily limit: on PostgreSQL the day's row is locked until the transaction ends, so two
   * requests of one agent judge the limit one after the other.
   */
  dailyTotalForDecision: async (tx: Transaction, staffId: string, day: string): Promise<number> => {
    const key = { staff_id: staffId, day };
    if (tx.engine === 'postgres') {
      await tx.run(sql.ensureDayTotal, key);
      return (await tx.get<{ open_tokens: number }>(sql.dailyTotalLocked, key))?.open_tokens ?? 0;
    }
    return (await tx.get<{ open_tokens: number }>(sql.dailyTotal, key))?.open_tokens ?? 0;
  },
};
