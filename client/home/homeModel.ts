import type { CreditRecord } from '../../shared/credits.ts';
import type { CreditReport } from '../../shared/reports.ts';
import { addDays } from '../dashboard/dashboardModel.ts';

/**
 * Where the home keeps when its owner last looked (react-admin's store, per person: one browser
 * may serve several people). Signing out clears the store; the next look then starts afresh.
 */
export const lastLookedKey = (staffId: string): string => `home.lastLookedAt.${staffId}`;

/** With no last look on record, the home tells of the decisions of the last day. */
export const FIRST_LOOK_WINDOW_MS = 24 * 60 * 60_000;

/** The time decisions are asked from: the last look, or a day ago when there is none. */
export const decisionsSince = (lastLookedAt: string | undefined, now: Date): { since: string; firstLook: boolean } => {
  const last = lastLookedAt ? Date.parse(lastLookedAt) : Number.NaN;
  return Number.isNaN(last)
    ? { since: new Date(now.getTime() - FIRST_LOOK_WINDOW_MS).toISOString(), firstLook: true }
    : { since: new Date(last).toISOString(), firstLook: false };
};

export type DecisionKind = 'approved' | 'rejected' | 'voided';

/** What became of a credit of yours, by whom and when, in words ("Approved by Lee Lead"). */
export interface DecisionOutcome {
  kind: DecisionKind;
  label: string;
  at: string | null;
  /** The decider's reason, when they gave one. */
  reason: string | null;
}

const byWhom = (name: string | null): string => (name ? ` by ${name}` : '');

/**
 * The latest decision on a credit listed by `GET /api/reports/decisions`: a void comes after the
 * approval it undoes, so a voided credit reads as voided.
 */
export const decisionOutcome = (credit: CreditRecord): DecisionOutcome => {
  if (credit.status === 'voided') {
    return { kind: 'voided', label: `Voided${byWhom(credit.voided_by_name)}`, at: credit.voided_at, reason: credit.void_reason };
  }
  if (credit.status === 'rejected') {
    return { kind: 'rejected', label: `Rejected${byWhom(credit.decided_by_name)}`, at: credit.decided_at, reason: credit.decision_reason };
  }
  return { kind: 'approved', label: `Approved${byWhom(credit.decided_by_name)}`, at: credit.decided_at, reason: credit.decision_reason };
};

export interface DayFigures {
  count: number;
  tokens: number;
}

/** Today's and yesterday's applied credits (UTC days, as the report groups them) from a by-day report. */
export const todayAgainstYesterday = (rows: CreditReport['rows'], today: string): { today: DayFigures; yesterday: DayFigures } => {
  const of = (day: string): DayFigures => {
    const row = rows.find(candidate => candidate.key === day);
    return { count: row?.count ?? 0, tokens: row?.tokens ?? 0 };
  };
  return { today: of(today), yesterday: of(addDays(today, -1)) };
};

/** "3 more than yesterday", "2 fewer than yesterday", "as many as yesterday". */
export const comparedWithYesterday = (today: number, yesterday: number): string => {
  if (today === yesterday) return 'as many as yesterday';
  const difference = Math.abs(today - yesterday).toLocaleString('en-US');
  return today > yesterday ? `${difference} more than yesterday` : `${difference} fewer than yesterday`;
};

/** "1 credit", "12 credits". */
export const creditCount = (count: number): string => `${count.toLocaleString('en-US')} ${count === 1 ? 'credit' : 'credits'}`;
