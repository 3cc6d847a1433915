import { parseWallTime, utcToWallTime, zonedWallTimeToUtc, type ReportedTime } from '../display/zonedTime.ts';

const minute = 60 * 1000;

/** How far either side of a reported time the chat review looks. */
export const nearTimeWindows = [
  { value: '15m', label: '± 15 minutes', ms: 15 * minute },
  { value: '1h', label: '± 1 hour', ms: 60 * minute },
  { value: '3h', label: '± 3 hours', ms: 180 * minute },
  { value: '1d', label: '± 1 day', ms: 24 * 60 * minute },
] as const;
export type NearTimeWindow = (typeof nearTimeWindows)[number]['value'];

/** Whose clock the reported time was read on. */
export type ReportedClock = 'customer' | 'agent';

/** The instants a "near a time" search covers, as UTC ISO strings (both ends included). */
export interface InstantRange {
  from: string;
  to: string;
}

/**
 * The UTC range around `reported` — a wall time such as "2026-03-29T10:30", as a customer would
 * say it — read on the clocks of `timeZone`, widened by `window` either side. Null while the
 * reported time is incomplete or not a real date. Daylight-saving gaps and repeats follow
 * `zonedWallTimeToUtc`.
 */
export const nearTimeRange = (reported: string, window: NearTimeWindow, timeZone: string): InstantRange | null => {
  const wall = parseWallTime(reported);
  if (!wall || !reported.includes('T')) return null;
  const centre = zonedWallTimeToUtc(wall, timeZone).getTime();
  const width = nearTimeWindows.find(option => option.value === window)?.ms ?? 0;
  return { from: new Date(centre - width).toISOString(), to: new Date(centre + width).toISOString() };
};

/** The list filters that narrow a chat's runs (by start) and ledger entries (by entry time) to a range. */
export const nearTimeFilters = (range: InstantRange | null) =>
  range
    ? {
        runs: { started_at_gte: range.from, started_at_lte: range.to },
        ledger: { created_at_gte: range.from, created_at_lte: range.to },
      }
    : { runs: {}, ledger: {} };

/**
 * The reported time of a helpdesk link as the "near a time" filter holds it: a wall time as sent,
 * or an instant read on the clocks of `timeZone` (whose clock is then only a matter of display).
 */
export const reportedWallTime = (reported: ReportedTime | null, timeZone: string): string =>
  !reported ? '' : reported.kind === 'wall' ? reported.wall : (utcToWallTime(reported.iso, timeZone) ?? '');
