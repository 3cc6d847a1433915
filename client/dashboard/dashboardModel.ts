import type { CreditAnomaly } from '../../shared/credits.ts';
import { deliveryNeedsAttention, deliveryStateFilters, type DeliveryStateFilter, type StudioDeliveryReport } from '../../shared/delivery.ts';
import type { CreditReport, RefundReport } from '../../shared/reports.ts';
import { creditListPath } from '../credits/creditPaths.ts';
import { deliveryFilterLabel } from '../credits/deliveryModel.ts';
import { formatDuration } from '../display/format.ts';
import { missingRefundsLink } from '../missingRefunds/missingRefundModel.ts';

export type ReportRow = CreditReport['rows'][number];
export type CreditGroup = CreditReport['group_by'];
export type RefundRow = RefundReport['rows'][number];

export const periodPresets = [7, 30, 90] as const;
export type PeriodPreset = (typeof periodPresets)[number];

/** What the period picker holds: one of the presets ending today, or two chosen days. */
export type PeriodChoice = { kind: 'preset'; days: PeriodPreset } | { kind: 'custom'; from: string; to: string };

export const defaultPeriodChoice: PeriodChoice = { kind: 'preset', days: 30 };

/**
 * A report period in whole UTC days ("YYYY-MM-DD", both included). The server reads a bare day
 * as its UTC bounds and groups credits by UTC day, so bars, links and lists agree to the credit.
 */
export interface Period {
  from: string;
  to: string;
}

const DAY_MS = 86_400_000;

export const utcDay = (instant: Date): string => instant.toISOString().slice(0, 10);

/** Whether `text` is a real calendar day written "YYYY-MM-DD". */
export const isDay = (text: string | null | undefined): text is string => {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const time = Date.parse(`${text}T00:00:00.000Z`);
  return !Number.isNaN(time) && utcDay(new Date(time)) === text;
};

export const addDays = (day: string, days: number): string => utcDay(new Date(Date.parse(`${day}T00:00:00.000Z`) + days * DAY_MS));

const isPreset = (days: number): days is PeriodPreset => (periodPresets as readonly number[]).includes(days);

/** The period in the dashboard's address (`?days=7`, or `?from=…&to=…`), so a view can be linked and the back button works. */
export const readPeriodChoice = (search: string): PeriodChoice => {
  const params = new URLSearchParams(search);
  const from = params.get('from');
  const to = params.get('to');
  if (isDay(from) && isDay(to) && from <= to) return { kind: 'custom', from, to };
  const days = Number(params.get('days'));
  return isPreset(days) ? { kind: 'preset', days } : defaultPeriodChoice;
};

export const periodChoiceSearch = (choice: PeriodChoice): string =>
  `?${new URLSearchParams(choice.kind === 'preset' ? { days: String(choice.days) } : { from: choice.from, to: choice.to })}`;

/** The days a choice covers: a preset ends today (UTC) and counts today as its last day. */
export const periodOf = (choice: PeriodChoice, now: Date): Period => {
  if (choice.kind === 'custom') return { from: choice.from, to: choice.to };
  const today = utcDay(now);
  return { from: addDays(today, -(choice.days - 1)), to: today };
};

/** Why two typed days are not a period, or null when they are. */
export const customPeriodProblem = (from: string, to: string): string | null => {
  if (!isDay(from) || !isDay(to)) return 'Pick both days.';
  if (from > to) return 'The first day comes after the last.';
  return null;
};

/** Every day of the period, with the day's row from the server or nothing credited that day. */
export const dailySeries = (rows: ReportRow[], period: Period): ReportRow[] => {
  const byDay = new Map(rows.map(row => [row.key, row]));
  const days: ReportRow[] = [];
  for (let day = period.from; day <= period.to; day = addDays(day, 1)) {
    days.push(byDay.get(day) ?? { key: day, label: day, count: 0, tokens: 0 });
  }
  return days;
};

/**
 * The tool "key" the credits report gives grants that cover no run (goodwill), from the report's
 * SQL (db/repositories/reportQueries.ts).
 */
export const goodwillToolKey = 'no run (goodwill)';

/**
 * The credits list behind one bar: applied credits requested in the period (voided ones net to
 * nothing in the report, and are not applied), narrowed to the bar's day, agent or reason.
 */
export const creditsBehindBar = (group: CreditGroup, key: string, period: Period): string => {
  const inPeriod = { status: 'applied', created_at_gte: period.from, created_at_lte: period.to };
  switch (group) {
    case 'day':
      return creditListPath({ status: 'applied', created_at_gte: key, created_at_lte: key });
    case 'agent':
      return creditListPath({ ...inPeriod, requested_by: key });
    case 'reason':
      return creditListPath({ ...inPeriod, reason: key });
    case 'tool':
      // The credits list has no tool filter: a tool's bar opens the period's applied credits.
      return creditListPath(key === goodwillToolKey ? { ...inPeriod, reason: 'goodwill' } : inPeriod);
  }
};

/** Whether the list behind a bar holds exactly that bar's credits (not so for a tool: no tool filter on credits). */
export const barListIsExact = (group: CreditGroup, key: string): boolean => group !== 'tool' || key === goodwillToolKey;

const runsListPath = (filter: Record<string, string>): string => `/generations?${new URLSearchParams({ filter: JSON.stringify(filter) })}`;

/** The runs behind a refund-health bar: a tool's failed (or auto-refunded) runs started in the period. */
export const failedRunsPath = (tool: string, period: Period): string =>
  runsListPath({ tool, status: 'failed', started_at_gte: period.from, started_at_lte: period.to });

export const autoRefundedRunsPath = (tool: string, period: Period): string =>
  runsListPath({ tool, refund_state: 'auto_refunded', started_at_gte: period.from, started_at_lte: period.to });

/** The missing-refund queue narrowed to a tool's runs started in the period: the bar's runs. */
export const missingRefundsBehindBar = (tool: string, period: Period): string =>
  missingRefundsLink({ tool, started_at_gte: period.from, started_at_lte: period.to });

const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });

/** "98.5%", or a dash when no failed run was charged (the server's rate is then null). */
export const formatRate = (rate: number | null): string => (rate == null ? '—' : percent.format(rate));

export const anomalyRuleLabels: Record<CreditAnomaly['rule'], string> = {
  agent_volume: 'Agent above usual volume',
  repeat_customer: 'Repeated credits to one customer',
  refunded_elsewhere: 'Run refunded another way',
  near_threshold: 'Just under the approval threshold',
};

export const anomalyRuleLabel = (rule: string): string => anomalyRuleLabels[rule as CreditAnomaly['rule']] ?? rule.replaceAll('_', ' ');

/** How many flagged credits each rule raised, in the rules' order, leaving out rules that raised none. */
export const anomalyRuleCounts = (credits: { anomalies: CreditAnomaly[] }[]): { rule: CreditAnomaly['rule']; count: number }[] =>
  (Object.keys(anomalyRuleLabels) as CreditAnomaly['rule'][])
    .map(rule => ({ rule, count: credits.filter(credit => credit.anomalies.some(flag => flag.rule === rule)).length }))
    .filter(entry => entry.count > 0);

/** "Push: on, Feed: off": how the console reaches the studio. */
export const deliveryChannelsText = (report: Pick<StudioDeliveryReport, 'push_enabled' | 'feed_enabled'>): string =>
  `Push: ${report.push_enabled ? 'on' : 'off'}, Feed: ${report.feed_enabled ? 'on' : 'off'}`;

/** "2 h 03 min": how long ago `since` was at `now`. */
export const ageAt = (since: string, now: Date): string => formatDuration(Math.max(0, now.getTime() - Date.parse(since)));

/**
 * Why the studio delivery card warns, in words ("2 given up", "1 failing for 47 min 10 s"), or
 * null when the shared rule sees nothing for a lead to act on.
 */
export const deliveryAttentionText = (
  report: Pick<StudioDeliveryReport, 'counts' | 'oldest_failing_since'>,
  now: Date,
): string | null => {
  if (!deliveryNeedsAttention(report, now)) return null;
  const reasons: string[] = [];
  if (report.counts.given_up > 0) reasons.push(`${report.counts.given_up} given up`);
  if (report.counts.failing > 0 && report.oldest_failing_since) {
    reasons.push(`${report.counts.failing} failing, the oldest for ${ageAt(report.oldest_failing_since, now)}`);
  }
  return `Deliveries need attention: ${reasons.join('; ')}`;
};

/** The rows of the delivery card's counts: each state's words, its count of events, and the credits list that holds them. */
export const deliveryCountRows = (
  counts: StudioDeliveryReport['counts'],
): { state: DeliveryStateFilter; label: string; count: number; href: string }[] =>
  deliveryStateFilters.map(state => ({ state, label: deliveryFilterLabel(state), count: counts[state], href: creditListPath({ delivery_state: state }) }));
