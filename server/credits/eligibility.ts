import { eligibilityRepository, type EligibilityRow } from '../../db/repositories/eligibilityRepository.ts';
import type { Queryable } from '../../db/storage/types.ts';
import type { RunEligibility } from '../../shared/credits.ts';
import { creditableRefundStates } from '../../shared/refundState.ts';

const creditableStates = new Set<string>(creditableRefundStates);

/** "2026-11-20 01:16 UTC": a time in a message people read; the fields beside it keep the ISO instant. */
const utcWords = (iso: string): string => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/**
 * Whether a run can still be credited, how much, and if not, the entry that
 * is in the way (docs/domain.md: charged minus returned minus reserved, in a
 * creditable state). `ownReservation` is what the grant being approved holds
 * for the run itself, which must not count against it. What stands in the way is read on `q`: the
 * transaction deciding a grant, or the storage for a plain question.
 */
export async function judgeRun(q: Queryable, row: EligibilityRow, ownReservation = 0): Promise<RunEligibility> {
  const returned = row.tokens_auto_refunded + row.tokens_credited;
  const left = row.tokens_charged - returned - (row.tokens_reserved - ownReservation);
  const eligible = creditableStates.has(row.refund_state) ? Math.max(0, left) : 0;
  const base: RunEligibility = {
    generation_id: row.id,
    customer_id: row.customer_id,
    chat_id: row.chat_id,
    tool: row.tool,
    status: row.status,
    refund_state: row.refund_state,
    tokens_charged: row.tokens_charged,
    tokens_returned: returned,
    tokens_reserved: row.tokens_reserved,
    eligible_tokens: eligible,
    finished_at: row.finished_at,
  };
  if (eligible > 0) return base;

  if (row.refund_state === 'auto_refunded' && row.auto_refund_id && row.auto_refund_at) {
    return {
      ...base,
      blocked_by: { kind: 'auto_refund', id: row.auto_refund_id, created_at: row.auto_refund_at },
      message: `Already auto-refunded: ${row.tokens_auto_refunded} tokens returned by ${row.auto_refund_id} on ${utcWords(row.auto_refund_at)}.`,
    };
  }
  if (row.refund_state === 'in_progress') return { ...base, message: 'Still running: wait for the outcome.' };
  if (row.refund_state === 'not_charged') return { ...base, message: 'Nothing was charged for this run.' };
  if (row.refund_state === 'refund_pending') {
    return { ...base, message: `Failed at ${row.finished_at ? utcWords(row.finished_at) : 'an unknown time'}; the automatic refund is still within its grace period. Check again shortly.` };
  }
  const pending = row.tokens_reserved - ownReservation > 0 ? await eligibilityRepository.pendingCredit(q, row.id) : undefined;
  if (pending) {
    return {
      ...base,
      blocked_by: { kind: 'pending_credit', id: pending.id, created_at: pending.created_at },
      message: `Credit ${pending.id} of ${utcWords(pending.created_at)} is waiting for approval and holds the rest of this run.`,
    };
  }
  const credit = await eligibilityRepository.lastCreditEntry(q, row.id);
  if (credit) {
    return {
      ...base,
      blocked_by: { kind: 'manual_credit', id: credit.id, created_at: credit.created_at, delivered: credit.delivered === 1 },
      message: `Already credited in full: ${row.tokens_credited} tokens returned, last by ${credit.id} on ${utcWords(credit.created_at)}.`,
    };
  }
  return { ...base, message: 'Nothing is left to return for this run.' };
}
