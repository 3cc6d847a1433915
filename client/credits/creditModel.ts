import { dailyLimitStatuses } from '../../shared/creditRules.ts';
import type { CreditReason, CreditRecord, CreditStatus } from '../../shared/credits.ts';
import { isLeadOrAdmin, type Role } from '../../shared/roles.ts';
import { parseWallTime, zonedWallTimeToUtc } from '../display/zonedTime.ts';

/**
 * How credits read on screen, and the small rules about them the lists and pages share: labels,
 * who may decide, the day a date filter means, the evidence a grant froze. The form's own state,
 * the runs' eligibility and sending a credit have modules of their own (creditFormModel.ts,
 * eligibilityModel.ts, submissionModel.ts).
 */

const creditReasonLabels: Record<CreditReason, string> = {
  off_prompt: 'Off prompt',
  visual_artifacts: 'Visual artifacts',
  wrong_format_or_length: 'Wrong format or length',
  safety_false_positive: 'Safety filter false positive',
  duplicate_run: 'Duplicate run',
  missed_auto_refund: 'Missed auto-refund',
  goodwill: 'Goodwill',
  other: 'Other',
};

export const creditReasonLabel = (reason: string): string =>
  (creditReasonLabels as Record<string, string | undefined>)[reason] ?? reason.replaceAll('_', ' ');

/** How a credit's status reads on screen: words, with a colour that repeats them. */
interface StatusPresentation {
  label: string;
  colour: 'warning' | 'success' | 'default' | 'error';
}

const creditStatusPresentations: Record<CreditStatus, StatusPresentation> = {
  pending_approval: { label: 'Waiting for approval', colour: 'warning' },
  applied: { label: 'Applied', colour: 'success' },
  rejected: { label: 'Rejected', colour: 'default' },
  voided: { label: 'Voided', colour: 'error' },
};

export const creditStatusPresentation = (status: string): StatusPresentation =>
  (creditStatusPresentations as Record<string, StatusPresentation | undefined>)[status] ?? { label: status.replaceAll('_', ' '), colour: 'default' };

/** The sum the daily limit counts of the agent's credits requested today (UTC): applied or pending (`dailyLimitStatuses`). */
export const dailyCreditTotal = (credits: Pick<CreditRecord, 'amount' | 'status'>[]): number =>
  credits.filter(credit => dailyLimitStatuses.includes(credit.status)).reduce((sum, credit) => sum + credit.amount, 0);

/** The start of the UTC day of `now`, as the daily limit counts days. */
export const utcDayStart = (now: Date): string => `${now.toISOString().slice(0, 10)}T00:00:00.000Z`;

/** What a lead or admin may do with `credit` (the server refuses the rest anyway). */
export const creditPermissions = (credit: Pick<CreditRecord, 'status' | 'requested_by'>, role: Role | undefined, userId: string | number | undefined) => {
  const decides = role != null && isLeadOrAdmin(role);
  const ownRequest = userId != null && credit.requested_by === String(userId);
  return {
    ownRequest,
    /** Four eyes: never the requester, so not before it is known who is signed in. */
    canApprove: decides && userId != null && credit.status === 'pending_approval' && !ownRequest,
    /** The requester's own rejection is a withdrawal. */
    canReject: decides && credit.status === 'pending_approval',
    canVoid: decides && credit.status === 'applied',
  };
};

/**
 * The instant a date filter means: the start (`gte`) or the last millisecond (`lte`) of calendar
 * day `day` ("YYYY-MM-DD") on the clocks of `timeZone`. Undefined for an empty or unreadable day.
 */
export const dayBoundInstant = (day: string, edge: 'gte' | 'lte', timeZone: string): string | undefined => {
  const wall = parseWallTime(day);
  if (!wall || day.includes('T')) return undefined;
  if (edge === 'gte') return zonedWallTimeToUtc(wall, timeZone).toISOString();
  const next = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + 1));
  const nextWall = { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: 0, minute: 0 };
  return new Date(zonedWallTimeToUtc(nextWall, timeZone).getTime() - 1).toISOString();
};

/** The calendar day ("YYYY-MM-DD") an instant falls on in `timeZone`: what a date filter input shows. */
export const dayOfInstant = (value: string | null | undefined, timeZone: string): string => {
  if (!value) return '';
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return '';
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instant);
};

/** A run as the grant's evidence recorded it when the credit was requested. */
export interface EvidenceRun {
  generation_id: string;
  refund_state: string | null;
  status: string | null;
  tokens_charged: number | null;
  tokens_returned: number | null;
}

const numberOrNull = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);
const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

/** Reads a grant's evidence (free-form JSON from the server) without trusting its shape. */
export const readEvidence = (evidence: Record<string, unknown>): { balanceBefore: number | null; runs: EvidenceRun[] } => {
  const runs = Array.isArray(evidence.runs) ? evidence.runs : [];
  return {
    balanceBefore: numberOrNull(evidence.balance_before),
    runs: runs.flatMap(run => {
      if (typeof run !== 'object' || run === null) return [];
      const fields = run as Record<string, unknown>;
      const id = stringOrNull(fields.generation_id);
      return id
        ? [{ generation_id: id, refund_state: stringOrNull(fields.refund_state), status: stringOrNull(fields.status), tokens_charged: numberOrNull(fields.tokens_charged), tokens_returned: numberOrNull(fields.tokens_returned) }]
        : [];
    }),
  };
};
