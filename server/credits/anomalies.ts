import type { CreditViewRow } from '../../db/repositories/creditRepository.ts';
import type { CreditAnomaly } from '../../shared/credits.ts';

const tokens = (n: number): string => n.toLocaleString('en-US');

/** An agent's day is unusual when it is at least this many tokens… */
export const VOLUME_FLOOR = 500;
/** …and this many times their daily average over the previous 30 days. */
export const VOLUME_FACTOR = 3;
/** This many earlier credits to one customer within 30 days flags the next one. */
export const REPEAT_COUNT = 2;
/** Credits from this share of the approval threshold up to it look like splitting to avoid approval. */
export const NEAR_THRESHOLD_SHARE = 0.9;

/**
 * The anomaly rules of the lead dashboard, each explained in words. They
 * flag what deserves a second look; nothing is refused because of them.
 */
export function anomaliesOf(row: CreditViewRow): CreditAnomaly[] {
  const flags: CreditAnomaly[] = [];
  const day = row.created_at.slice(0, 10);
  const average = row.agent_prior_30d_tokens / 30;
  if (row.agent_day_tokens >= VOLUME_FLOOR && row.agent_day_tokens > VOLUME_FACTOR * average) {
    flags.push({
      rule: 'agent_volume',
      message: average > 0
        ? `${row.requested_by_name ?? row.requested_by}'s credits on ${day} total ${tokens(row.agent_day_tokens)} tokens, ${(row.agent_day_tokens / average).toFixed(1)}× their daily average of ${tokens(Math.round(average))} over the previous 30 days.`
        : `${row.requested_by_name ?? row.requested_by}'s credits on ${day} total ${tokens(row.agent_day_tokens)} tokens, with no credits in the previous 30 days.`,
    });
  }
  if (row.customer_prior_credits >= REPEAT_COUNT) {
    flags.push({
      rule: 'repeat_customer',
      message: `${row.customer_name ?? row.customer_id} already had ${row.customer_prior_credits} credits in the 30 days before this one.`,
    });
  }
  if (row.overlap) {
    const [runId, refundId, otherCredit] = row.overlap.split('|');
    flags.push({
      rule: 'refunded_elsewhere',
      message: refundId
        ? `Run ${runId} was also refunded automatically (${refundId}).`
        : `Run ${runId} is also covered by credit ${otherCredit}.`,
    });
  }
  if (row.requested_by_role === 'agent' && row.amount <= row.approval_threshold && row.amount >= NEAR_THRESHOLD_SHARE * row.approval_threshold) {
    flags.push({
      rule: 'near_threshold',
      message: `${tokens(row.amount)} tokens is just under the approval threshold of ${tokens(row.approval_threshold)}.`,
    });
  }
  return flags;
}
