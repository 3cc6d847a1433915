import type { CreditRecord, RunEligibility } from '../../shared/credits.ts';
import type { CreditDeliveryOutcome } from '../../shared/delivery.ts';
import type { GenerationRecord } from '../../shared/records.ts';
import { displayLocale, formatTokenCount, isKnownTimeZone } from '../display/format.ts';

/**
 * Short, customer-ready replies an agent pastes into the ticket (docs/domain.md, flow 8). Their words
 * follow the help article the customer has read: failed runs are refunded automatically and show
 * in Settings → Usage history; succeeded runs with a wrong result are credited by hand after a
 * review. Dates are calendar days on the customer's clock when their time zone is known, else
 * UTC days said as such. Internal details (notes, ids, a lead's reasons) never appear.
 */

const usageHistory = 'Settings → Usage history';

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** "March 3, 2026" on the customer's clock, or "March 3, 2026 (UTC)" when their zone is unknown. */
export const customerDate = (iso: string, timeZone: string | null | undefined): string => {
  const zone = isKnownTimeZone(timeZone) ? timeZone : 'UTC';
  let format = dayFormats.get(zone);
  if (!format) {
    format = new Intl.DateTimeFormat(displayLocale, { dateStyle: 'long', timeZone: zone });
    dayFormats.set(zone, format);
  }
  const day = format.format(new Date(iso));
  return zone === timeZone ? day : `${day} (UTC)`;
};

const joinWords = (words: string[]): string =>
  words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;

/**
 * "the run of March 3, 2026", "the 3 runs of March 3, 2026 and March 4, 2026"; without the runs'
 * times, "the run you reported". `runCount` may exceed the times known.
 */
export const runsPhrase = (runCount: number, runTimes: string[], timeZone: string | null | undefined): string => {
  const days = [...new Set([...runTimes].sort().map(time => customerDate(time, timeZone)))];
  const runs = runCount === 1 ? 'the run' : `the ${runCount} runs`;
  return days.length === 0 ? `${runs} you reported` : `${runs} of ${joinWords(days)}`;
};

const pronoun = (runCount: number) => (runCount === 1 ? 'it' : 'them');

const failedRuns = (runCount: number): string =>
  runCount === 1 ? 'it failed and its automatic refund did not go through' : 'they failed and their automatic refunds did not go through';

/** An applied credit whose tokens are in the customer's account: the studio took its event. */
const addedReply = (credit: Pick<CreditRecord, 'amount' | 'reason'>, runCount: number, runs: string, tokens: string): string => {
  if (credit.reason === 'goodwill') {
    return `We've added ${tokens} to your account as a goodwill gesture. You'll see them in ${usageHistory}.`;
  }
  if (credit.reason === 'missed_auto_refund') {
    return `We've added ${tokens} to your account for ${runs}: ${failedRuns(runCount)}, so we returned the tokens ourselves. You'll see the credit in ${usageHistory}.`;
  }
  return `We've added ${tokens} to your account for ${runs}, after reviewing your request. You'll see the credit in ${usageHistory}.`;
};

/** An applied credit still on its way to the studio: approved, not yet in the account, so no "added". */
const approvedReply = (credit: Pick<CreditRecord, 'amount' | 'reason'>, runCount: number, runs: string, tokens: string): string => {
  const shortly = `It will show in ${usageHistory} shortly.`;
  if (credit.reason === 'goodwill') return `We've approved a goodwill credit of ${tokens} for your account. ${shortly}`;
  if (credit.reason === 'missed_auto_refund') {
    return `We've approved a credit of ${tokens} for ${runs}: ${failedRuns(runCount)}, so we're returning the tokens ourselves. ${shortly}`;
  }
  return `After reviewing your request, we've approved a credit of ${tokens} for ${runs}. ${shortly}`;
};

/**
 * The reply for a credit grant, by its status and, once applied, by where its delivery to the
 * studio stands (`delivery`, the shared `creditDeliveryOutcome`): the tokens were added only once
 * the studio has them; before that the credit is approved and shows shortly. While delivery is
 * failing or given up there is no reply (see `creditReplyHold`). A voided grant has no reply: what
 * to tell the customer depends on why it was voided. `runTimes` are the start times of its runs.
 */
export const creditReply = (
  credit: Pick<CreditRecord, 'status' | 'amount' | 'reason' | 'items'>,
  runTimes: string[],
  timeZone: string | null | undefined,
  delivery: CreditDeliveryOutcome,
): string | null => {
  const runCount = credit.items.length;
  const runs = runsPhrase(runCount, runTimes, timeZone);
  const tokens = formatTokenCount(credit.amount);
  switch (credit.status) {
    case 'applied':
      if (delivery === 'delivered') return addedReply(credit, runCount, runs, tokens);
      if (creditReplyHold(delivery)) return null;
      return approvedReply(credit, runCount, runs, tokens);
    case 'pending_approval':
      return runCount === 0
        ? `Your request is being reviewed. We'll get back to you as soon as it's decided.`
        : `Your request is being reviewed: we're looking at ${runs} and will get back to you as soon as it's decided.`;
    case 'rejected':
      return runCount === 0
        ? `We've reviewed your request, and we aren't able to add tokens to your account this time.`
        : `We've reviewed ${runs}, and we aren't able to add tokens back for ${pronoun(runCount)} this time.`;
    default:
      return null;
  }
};

/**
 * What the agent is told instead of a reply while the studio has not taken an applied credit and
 * nothing will bring it there by itself soon: null when a reply can be given.
 */
export const creditReplyHold = (delivery: CreditDeliveryOutcome): string | null => {
  switch (delivery) {
    case 'failing':
      return 'Delivery to the studio is failing: do not tell the customer the tokens were added yet. Token Desk keeps trying; the reply is offered again once they are in the customer’s account.';
    case 'given_up':
      return 'Delivery to the studio was given up: do not tell the customer the tokens were added. A lead can retry it from the credit’s page.';
    default:
      return null;
  }
};

/** "The 120 tokens for this run were refunded automatically on March 3, 2026; …" */
export const autoRefundReply = (tokens: number, refundedAt: string, timeZone: string | null | undefined): string =>
  `The ${formatTokenCount(tokens)} for this run ${tokens === 1 ? 'was' : 'were'} refunded automatically on ${customerDate(refundedAt, timeZone)}; you'll see the refund in ${usageHistory}.`;

const stillRunning = `This run is still in progress. If it fails, its tokens are refunded automatically; if it finishes but the result isn't right, let us know and we'll review it.`;
const notCharged = 'No tokens were charged for this run, so there is nothing to refund.';
const refundOnItsWay = (tokens: number) =>
  `This run failed, so its ${formatTokenCount(tokens)} will be refunded automatically, usually within a few minutes. You'll see the refund in ${usageHistory}.`;

/**
 * The reply for one run that the console has already settled or cannot credit (from the run
 * record): auto-refunded, refund on its way, still running, nothing charged. Null when the run's
 * answer is a credit decision (use `creditReply`) or still to be made.
 */
export const runReply = (
  run: Pick<GenerationRecord, 'refund_state' | 'tokens_charged' | 'tokens_auto_refunded' | 'auto_refunded_at'>,
  timeZone: string | null | undefined,
): string | null => {
  switch (run.refund_state) {
    case 'auto_refunded':
      return run.auto_refunded_at ? autoRefundReply(run.tokens_auto_refunded || run.tokens_charged, run.auto_refunded_at, timeZone) : null;
    case 'refund_pending':
      return refundOnItsWay(run.tokens_charged);
    case 'in_progress':
      return stillRunning;
    case 'not_charged':
      return notCharged;
    default:
      return null;
  }
};

/** Why a run cannot be credited, for the customer: from its eligibility (the entry in the way, or its state). Null when it can be. */
export const notEligibleReply = (run: RunEligibility, timeZone: string | null | undefined): string | null => {
  if (run.eligible_tokens > 0) return null;
  switch (run.blocked_by?.kind) {
    case 'auto_refund':
      return autoRefundReply(run.tokens_charged, run.blocked_by.created_at, timeZone);
    case 'manual_credit':
      // Not in the customer's account until the studio has it: say "approved", not "added".
      return run.blocked_by.delivered === false
        ? `We already approved a credit of ${formatTokenCount(run.tokens_returned)} for this run on ${customerDate(run.blocked_by.created_at, timeZone)}. It will show in ${usageHistory} shortly.`
        : `We already added ${formatTokenCount(run.tokens_returned)} back to your account for this run on ${customerDate(run.blocked_by.created_at, timeZone)}; you'll see the credit in ${usageHistory}.`;
    case 'pending_credit':
      return `Your request about this run is already being reviewed. We'll get back to you as soon as it's decided.`;
  }
  switch (run.refund_state) {
    case 'in_progress':
      return stillRunning;
    case 'refund_pending':
      return refundOnItsWay(run.tokens_charged);
    case 'not_charged':
      return notCharged;
    default:
      return `All the tokens charged for this run have already been returned to your account; you'll see them in ${usageHistory}.`;
  }
};
