import { displayLocale, viewerTimeZone } from './format.ts';

/**
 * Compact times and ages for sentences in crowded rows ("Auto-refunded 120 tokens on Dec 4, 17:18",
 * "failed 3 hours ago"). Apart from format.ts, which the console's first screen loads: these are
 * needed only by the screens of runs.
 */

const parseInstant = (value: string | Date | null | undefined): Date | null => {
  if (value == null || value === '') return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
};

const shortFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * "Dec 4, 17:18" (with the year when it is not this year's): a compact instant in `timeZone` for
 * sentences inside a table row, where the full form would crowd it. The full form stays on hover.
 */
export const formatShortDateTime = (value: string | Date | null | undefined, timeZone: string = viewerTimeZone(), now: Date = new Date()): string => {
  const instant = parseInstant(value);
  if (!instant) return '—';
  const yearOf = (date: Date) => new Intl.DateTimeFormat(displayLocale, { year: 'numeric', timeZone }).format(date);
  const withYear = yearOf(instant) !== yearOf(now);
  const key = `${timeZone}/${withYear}`;
  let format = shortFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(displayLocale, {
      month: 'short',
      day: 'numeric',
      ...(withYear ? { year: 'numeric' } : {}),
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
    });
    shortFormats.set(key, format);
  }
  return format.format(instant);
};

const ageUnits = [
  { unit: 'day', ms: 24 * 60 * 60 * 1000 },
  { unit: 'hour', ms: 60 * 60 * 1000 },
  { unit: 'minute', ms: 60 * 1000 },
] as const;
const ageFormats = new Map<string, Intl.NumberFormat>();

/**
 * "3 hours", "2 days", "less than a minute": how long ago `value` was at `now`, in the largest
 * whole unit, for the ages that matter to an agent (how long a refund has been missing).
 */
export const formatAge = (value: string | Date | null | undefined, now: Date = new Date()): string => {
  const instant = parseInstant(value);
  if (!instant) return '—';
  const elapsed = Math.max(0, now.getTime() - instant.getTime());
  for (const { unit, ms } of ageUnits) {
    if (elapsed >= ms) {
      let format = ageFormats.get(unit);
      if (!format) {
        format = new Intl.NumberFormat(displayLocale, { style: 'unit', unit, unitDisplay: 'long' });
        ageFormats.set(unit, format);
      }
      return format.format(Math.floor(elapsed / ms));
    }
  }
  return 'less than a minute';
};
