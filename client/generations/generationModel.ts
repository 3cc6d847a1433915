import { creditableTokens, type RefundState } from '../../shared/refundState.ts';
import { formatDateTime, formatTokenCount, formatTokens } from '../display/format.ts';
import { formatAge, formatShortDateTime } from '../display/relativeTime.ts';
import type { GenerationRecord, TransactionRecord } from '../../shared/records.ts';

export type BadgeColour = 'default' | 'primary' | 'success' | 'warning' | 'error' | 'info';

/** How a refund state reads on screen: always words, the colour only repeats them. */
export interface RefundStatePresentation {
  label: string;
  colour: BadgeColour;
  /** What the state means for the agent, from the refund-state table in docs/domain.md. */
  meaning: string;
}

export const refundStatePresentations: Record<RefundState, RefundStatePresentation> = {
  in_progress: { label: 'In progress', colour: 'info', meaning: 'Queued or running: wait for the outcome; not eligible yet.' },
  auto_refunded: { label: 'Auto-refunded', colour: 'success', meaning: 'Failed, and an automatic refund reversed its charge.' },
  refund_pending: {
    label: 'Refund pending',
    colour: 'warning',
    meaning: 'Failed and charged; the automatic refund is still within its grace period.',
  },
  refund_missing: {
    label: 'Refund missing',
    colour: 'error',
    meaning: 'Failed and charged, and no automatic refund came within the grace period.',
  },
  credited: { label: 'Credited', colour: 'success', meaning: 'Manual credits returned part or all of its tokens.' },
  none: {
    label: 'No refund',
    colour: 'primary',
    meaning: 'Succeeded and charged, nothing returned: eligible for a manual credit.',
  },
  not_charged: { label: 'Not charged', colour: 'default', meaning: 'Finished and nothing was charged.' },
};

/** The presentation of a state, or a neutral one naming a state this console does not know yet. */
export const refundStatePresentation = (state: string): RefundStatePresentation =>
  (refundStatePresentations as Record<string, RefundStatePresentation | undefined>)[state] ?? {
    label: state.replaceAll('_', ' '),
    colour: 'default',
    meaning: 'A refund state this version of Token Desk does not describe yet.',
  };

export const generationStatusLabels: Record<string, string> = {
  queued: 'Queued',
  running: 'Running',
  succeeded: 'Succeeded',
  failed: 'Failed',
};

export const generationStatusLabel = (status: string): string => generationStatusLabels[status] ?? status;

/** What the ledger proves about a run's refund, in words an agent can repeat to a customer. */
export interface RefundProof {
  severity: 'success' | 'info' | 'warning' | 'error';
  /** One or more plain sentences. */
  text: string;
  /** The ledger entries that prove it (the auto-refund, the manual credits). */
  entries: TransactionRecord[];
  /** The instant `text` names (the auto-refund's), so a view can show its UTC value on hover. */
  time?: string;
}

const entryWords = (entry: TransactionRecord, timeZone: string) =>
  `entry ${entry.id} of ${formatDateTime(entry.created_at, timeZone)} returned ${formatTokenCount(entry.amount)}`;

/**
 * The refund proof of `run` from its ledger `entries`. The server derives the state and the
 * totals; this only puts them, and the entries behind them, into words.
 */
export const refundProof = (
  run: Pick<
    GenerationRecord,
    'refund_state' | 'tokens_charged' | 'tokens_returned' | 'tokens_auto_refunded' | 'charge_id' | 'auto_refund_id' | 'auto_refunded_at'
  >,
  entries: TransactionRecord[],
  timeZone: string,
): RefundProof => {
  const charged = formatTokenCount(run.tokens_charged);
  switch (run.refund_state) {
    case 'auto_refunded': {
      // The run names its refund entry; the ledger list, when it holds it, adds the reversed charge.
      const refund = entries.find(entry => entry.id === run.auto_refund_id) ?? entries.find(entry => entry.kind === 'auto_refund');
      const refundId = run.auto_refund_id ?? refund?.id;
      if (!refundId) {
        return { severity: 'success', text: 'Auto-refunded, but the refund entry could not be found in this run’s ledger entries.', entries: [] };
      }
      const time = run.auto_refunded_at ?? refund?.created_at ?? undefined;
      const refundedAt = formatDateTime(time, timeZone);
      const amount = formatTokenCount(refund?.amount ?? run.tokens_auto_refunded);
      const reversedCharge = refund?.reverses_id ?? run.charge_id;
      const reverses = reversedCharge ? `, reversing charge ${reversedCharge}` : '';
      return {
        severity: 'success',
        text: `Auto-refunded: ledger entry ${refundId} returned ${amount} on ${refundedAt}${reverses}. The customer already has these tokens back.`,
        entries: refund ? [refund] : [],
        time,
      };
    }
    case 'credited': {
      const credits = entries.filter(entry => entry.kind === 'manual_credit');
      const voids = entries.filter(entry => entry.kind === 'credit_void');
      const creditWords = credits.map(entry => entryWords(entry, timeZone)).join('; ');
      const voidWords = voids.length > 0 ? ` Voided since: ${voids.map(entry => entry.id).join(', ')}.` : '';
      return {
        severity: 'success',
        text: `Credited: ${formatTokenCount(run.tokens_returned)} of ${charged} returned by manual credit${
          creditWords ? ` (${creditWords})` : ''
        }.${voidWords}`,
        entries: [...credits, ...voids],
      };
    }
    case 'refund_pending':
      return {
        severity: 'warning',
        text: `Failed and charged ${charged}. No automatic refund yet, but it is still within the grace period: check again shortly before crediting anything.`,
        entries: [],
      };
    case 'refund_missing':
      return {
        severity: 'error',
        text: `Failed and charged ${charged}, and no automatic refund arrived within the grace period. This refund is missing: it can be fixed with a “missed auto-refund” credit.`,
        entries: [],
      };
    case 'none':
      return {
        severity: 'info',
        text: `Succeeded and charged ${charged}; nothing has been returned. If the output was wrong, it is eligible for a manual credit.`,
        entries: [],
      };
    case 'not_charged':
      return { severity: 'info', text: 'Nothing was charged for this run, so there is nothing to return.', entries: [] };
    case 'in_progress':
      return { severity: 'info', text: 'Still queued or running: wait for the outcome before deciding anything.', entries: [] };
    default:
      return { severity: 'info', text: refundStatePresentation(run.refund_state).meaning, entries: [] };
  }
};

/** A run's refund answer in one line, and the instant it names (shown on hover in full, with its UTC value). */
export interface RefundAnswer {
  text: string;
  /** The instant `text` dates, when it dates one. */
  time?: string;
}

type AnsweredRun = Pick<
  GenerationRecord,
  | 'refund_state'
  | 'status'
  | 'tokens_charged'
  | 'tokens_returned'
  | 'tokens_auto_refunded'
  | 'tokens_credited'
  | 'tokens_reserved'
  | 'started_at'
  | 'finished_at'
  | 'auto_refunded_at'
>;

/**
 * What the agent came for, in one line of a runs table: "Auto-refunded 120 tokens on Dec 4, 17:18",
 * "Failed 3 hours ago and no auto-refund came", "120 tokens can be credited". Dates are read on `timeZone`'s
 * clock; ages are measured at `now`. The server derives the state and the figures; this words them.
 */
export const refundAnswer = (run: AnsweredRun, timeZone: string, now: Date = new Date()): RefundAnswer => {
  const left = creditableTokens(run);
  const held = run.tokens_reserved > 0 ? ` ${formatTokenCount(run.tokens_reserved)} held by a credit waiting for approval.` : '';
  switch (run.refund_state) {
    case 'auto_refunded': {
      const at = run.auto_refunded_at ?? undefined;
      const when = at ? ` on ${formatShortDateTime(at, timeZone, now)}` : '';
      return { text: `Auto-refunded ${formatTokenCount(run.tokens_auto_refunded)}${when}.`, time: at };
    }
    case 'credited':
      return {
        text: `Credited ${formatTokens(run.tokens_credited)} of ${formatTokenCount(run.tokens_charged)}.${held}${
          left > 0 ? ` ${formatTokenCount(left)} can still be credited.` : ''
        }`,
      };
    case 'refund_pending':
      return {
        text: `Failed ${formatAge(run.finished_at, now)} ago; the auto-refund is still due.`,
        time: run.finished_at ?? undefined,
      };
    case 'refund_missing':
      return {
        text: `Failed ${formatAge(run.finished_at, now)} ago and no auto-refund came: ${formatTokenCount(run.tokens_charged)} not returned.${held}`,
        time: run.finished_at ?? undefined,
      };
    case 'none':
      return {
        text: left > 0 ? `Nothing returned; ${formatTokenCount(left)} can be credited.${held}` : `Nothing returned.${held}`,
      };
    case 'not_charged':
      return { text: 'Nothing was charged.' };
    case 'in_progress':
      return { text: `Still ${run.status === 'queued' ? 'queued' : 'running'}, started ${formatAge(run.started_at, now)} ago.`, time: run.started_at };
    default:
      return { text: refundStatePresentation(run.refund_state).meaning };
  }
};
