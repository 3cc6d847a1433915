import type { Role } from './roles.ts';
import { creditReasons, succeededRunReasons, type CreditReason, type CreditStatus, type Policy, type RunEligibility } from './credits.ts';

/**
 * The rules of a credit (docs/domain.md), written once: the server judges every request with
 * them, and the credit form applies the same functions so an agent sees a mistake, or a wait
 * for approval, before sending. Pure: the server does the database reads and passes the figures.
 */

/** What the reason rules read of a run. */
export type ReasonRun = Pick<RunEligibility, 'generation_id' | 'status' | 'refund_state'>;

const isMissingRefund = (run: ReasonRun): boolean => run.refund_state === 'refund_missing';
const isSucceededRun = (run: ReasonRun): boolean => run.status === 'succeeded' && !isMissingRefund(run);

/**
 * Why `reason` does not suit a credit covering `runs`, in words, or null when it does:
 * `missed_auto_refund` covers only runs whose auto-refund is missing and is the only reason that
 * can; the other run reasons cover only succeeded runs; `goodwill` is the reason of exactly the
 * credits that cover no runs.
 */
export function reasonMismatch(reason: CreditReason, runs: readonly ReasonRun[]): string | null {
  if (runs.length === 0) return reason === 'goodwill' ? null : 'a credit that covers no runs is a goodwill credit';
  if (reason === 'goodwill') return 'goodwill credits cover no runs: choose the reason that fits these runs';
  for (const run of runs) {
    if (reason === 'missed_auto_refund' && !isMissingRefund(run)) {
      return `missed_auto_refund covers only failed runs whose auto-refund is missing; run ${run.generation_id} is ${run.refund_state}`;
    }
    if (succeededRunReasons.includes(reason) && !isSucceededRun(run)) {
      return isMissingRefund(run)
        ? `run ${run.generation_id} failed without its auto-refund: use missed_auto_refund`
        : `run ${run.generation_id} did not succeed (${run.status}, ${run.refund_state}): ${reason} covers succeeded runs only`;
    }
  }
  return null;
}

export const reasonSuits = (reason: CreditReason, runs: readonly ReasonRun[]): boolean => reasonMismatch(reason, runs) === null;

/** Every reason that suits a credit covering `runs`, in the order of `creditReasons`; none for runs no single reason covers. */
export const suitableReasons = (runs: readonly ReasonRun[]): CreditReason[] => creditReasons.filter(reason => reasonSuits(reason, runs));

/**
 * The reason to preselect for `runs`: the only one that suits them (a missing refund's
 * `missed_auto_refund`, or `goodwill` for no runs), or null when several or none do.
 */
export const suggestedReason = (runs: readonly ReasonRun[]): CreditReason | null => {
  const reasons = suitableReasons(runs);
  return reasons.length === 1 ? reasons[0] : null;
};

/** The runs whose requested tokens differ from what is left to return: the note must say why. */
export const changedAmounts = (
  items: readonly { generation_id: string; tokens: number | null }[],
  runs: readonly Pick<RunEligibility, 'generation_id' | 'eligible_tokens'>[],
): { generation_id: string; suggested: number; requested: number | null }[] =>
  items.flatMap(item => {
    const run = runs.find(candidate => candidate.generation_id === item.generation_id);
    return run && item.tokens !== run.eligible_tokens ? [{ generation_id: item.generation_id, suggested: run.eligible_tokens, requested: item.tokens }] : [];
  });

/**
 * The credits an agent's daily limit counts: those requested that UTC day and applied or still
 * waiting (db/migrations/004_credit_day_totals.sql keeps the same sum for the server).
 */
export const dailyLimitStatuses: readonly CreditStatus[] = ['pending_approval', 'applied'];

const countFormat = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
/** "1 token", "1,200 tokens": the same figures the console shows. */
const tokenCount = (amount: number): string => `${countFormat.format(amount)} ${Math.abs(amount) === 1 ? 'token' : 'tokens'}`;

/**
 * Why a credit must wait for a lead's approval under `policy`, in words; empty when it applies
 * at once. `todayTotal` is what the requester already credited this UTC day (applied and
 * pending); it counts for agents only, and null leaves the daily limit out (the console may not
 * know it; the server always does).
 */
export function approvalReasons(
  input: { reason: CreditReason | ''; amount: number },
  requester: { role: Role },
  policy: Policy,
  todayTotal: number | null,
): string[] {
  const reasons: string[] = [];
  if (input.reason === 'goodwill' && policy.goodwill_requires_approval) reasons.push('Goodwill credits wait for a lead’s approval.');
  if (requester.role === 'agent') {
    if (input.amount > policy.approval_threshold) {
      reasons.push(`${tokenCount(input.amount)} is above the approval threshold of ${tokenCount(policy.approval_threshold)}.`);
    }
    if (todayTotal != null && todayTotal + input.amount > policy.agent_daily_limit) {
      reasons.push(`It takes your credits today (UTC) to ${tokenCount(todayTotal + input.amount)}, above the daily limit of ${tokenCount(policy.agent_daily_limit)}.`);
    }
  } else if (input.amount > policy.lead_approval_threshold) {
    reasons.push(`${tokenCount(input.amount)} is above the limit of ${tokenCount(policy.lead_approval_threshold)} for a lead’s or admin’s own credits.`);
  }
  return reasons;
}
