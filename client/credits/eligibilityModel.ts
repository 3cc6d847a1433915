import type { BlockedBy, CreditReason, RunEligibility } from '../../shared/credits.ts';
import { suitableReasons, type ReasonRun } from '../../shared/creditRules.ts';
import { formatDateTime } from '../display/format.ts';

/**
 * The selected runs as the server judged them (`GET /api/credits/eligibility`), in the words the
 * credit form shows: which can be credited, which reasons suit them, and why a run cannot be.
 * The rules themselves are shared/creditRules.ts; this module only words them.
 */

/** The runs a credit can cover: those with tokens left to return. The rest are shown, not sent. */
export const creditableRuns = (runs: RunEligibility[]): RunEligibility[] => runs.filter(run => run.eligible_tokens > 0);

/** The runs (their eligibility) that the form's items cover. */
export const coveredRuns = (items: readonly { generation_id: string }[], runs: RunEligibility[]): RunEligibility[] =>
  items.flatMap(item => runs.filter(run => run.generation_id === item.generation_id));

/**
 * The reasons the form offers for the runs it covers. A goodwill credit (started from the
 * customer, no runs) offers goodwill; a credit of runs never does, even once every run is left
 * out or none can be credited: goodwill is not a way round a run that was already refunded.
 */
export const formReasons = (covered: readonly ReasonRun[], goodwill: boolean): CreditReason[] =>
  !goodwill && covered.length === 0 ? [] : suitableReasons(covered);

/** What stands in the way of a run, in words: the entry or credit and its date (viewer's time zone unless told). */
export const describeBlockedBy = (blocked: Pick<BlockedBy, 'kind' | 'id' | 'created_at'>, timeZone?: string): string => {
  const when = formatDateTime(blocked.created_at, timeZone);
  switch (blocked.kind) {
    case 'auto_refund':
      return `Already auto-refunded by ledger entry ${blocked.id} on ${when}`;
    case 'manual_credit':
      return `Already credited by ledger entry ${blocked.id} on ${when}`;
    case 'pending_credit':
      return `Held by credit ${blocked.id}, waiting for approval since ${when}`;
  }
};

/**
 * Why a run cannot be credited (nothing left to return), in a sentence with its dates formatted:
 * the entry or credit in the way when the server named one, else what its refund state means.
 */
export const notEligibleReason = (
  run: Pick<RunEligibility, 'refund_state' | 'blocked_by' | 'finished_at'>,
  timeZone?: string,
): string => {
  if (run.blocked_by) return `${describeBlockedBy(run.blocked_by, timeZone)}.`;
  switch (run.refund_state) {
    case 'in_progress':
      return 'Still running: wait for the outcome.';
    case 'not_charged':
      return 'Nothing was charged for this run.';
    case 'refund_pending':
      return `Failed${run.finished_at ? ` on ${formatDateTime(run.finished_at, timeZone)}` : ''}; its automatic refund is still within the grace period. Check again shortly.`;
    default:
      return 'Nothing is left to return for this run.';
  }
};

/**
 * Why no reason can be chosen for the runs a credit covers, in words, or null when one can.
 * `selected` are all the runs the form was opened for, `covered` those still in the credit.
 */
export const noReasonExplanation = (selected: RunEligibility[], covered: RunEligibility[], goodwill: boolean): string | null => {
  if (goodwill) return null;
  if (creditableRuns(selected).length === 0) {
    return selected.length === 1
      ? 'This run cannot be credited, so there is no reason to choose: the table says why. A goodwill credit is not the way round it.'
      : 'None of these runs can be credited, so there is no reason to choose: the table says why for each. A goodwill credit is not the way round it.';
  }
  if (covered.length === 0 || formReasons(covered, goodwill).length > 0) return null;
  if (covered.some(run => run.refund_state === 'refund_missing')) {
    return 'These runs mix failed runs whose auto-refund is missing with other runs. No single reason covers both: credit the failed runs (reason “Missed auto-refund”) and the others in two separate credits.';
  }
  return 'A failed run that was already partly credited cannot be credited further with any reason. Ask a lead if the customer is still owed tokens.';
};
