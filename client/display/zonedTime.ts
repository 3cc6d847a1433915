/**
 * Wall-clock times in a named time zone, turned into instants. Customers report "around 10:30 on
 * Tuesday" in their own zone; the API filters on UTC instants.
 */

/** A wall-clock reading: what a `datetime-local` input holds ("2026-03-29T02:30"). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second?: number;
}

const wallTimePattern = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** Reads "YYYY-MM-DD" or "YYYY-MM-DDTHH:mm[:ss]" (the values of date and datetime-local inputs); null when it is not one. */
export const parseWallTime = (text: string): WallTime | null => {
  const match = wallTimePattern.exec(text.trim());
  if (!match) return null;
  const [, year, month, day, hour = '0', minute = '0', second = '0'] = match;
  const wall = { year: +year, month: +month, day: +day, hour: +hour, minute: +minute, second: +second };
  // Reject what Date.UTC would silently roll over (Feb 30th, 25:00).
  const probe = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
  if (
    probe.getUTCFullYear() !== wall.year ||
    probe.getUTCMonth() !== wall.month - 1 ||
    probe.getUTCDate() !== wall.day ||
    probe.getUTCHours() !== wall.hour ||
    probe.getUTCMinutes() !== wall.minute
  ) {
    return null;
  }
  return wall;
};

const offsetFormats = new Map<string, Intl.DateTimeFormat>();

/** How far `timeZone`'s wall clock is ahead of UTC at `instantMs`, in milliseconds. */
const offsetAt = (instantMs: number, timeZone: string): number => {
  let format = offsetFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    offsetFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(new Date(instantMs)).map(part => [part.type, part.value]));
  const wallAsUtc = Date.UTC(+parts.year, +parts.month - 1, +parts.day, +parts.hour, +parts.minute, +parts.second);
  const wholeSeconds = Math.floor(instantMs / 1000) * 1000;
  return wallAsUtc - wholeSeconds;
};

const dayMs = 24 * 60 * 60 * 1000;

/**
 * The instant at which `timeZone`'s clocks read `wall`. Where the clocks jump (daylight saving),
 * it follows the usual "compatible" rule (as Temporal and most calendars do): a time skipped by a
 * spring-forward jump is read with the offset before the jump (02:30 in a 02:00→03:00 gap is
 * 03:30), and a time that happens twice in the autumn is its first occurrence.
 */
export const zonedWallTimeToUtc = (wall: WallTime, timeZone: string): Date => {
  const wallAsUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second ?? 0);
  // Zones change offset at most once within a day, so the offsets a day either side bracket it.
  const offsetBefore = offsetAt(wallAsUtc - dayMs, timeZone);
  const offsetAfter = offsetAt(wallAsUtc + dayMs, timeZone);
  const candidates = [wallAsUtc - offsetBefore, wallAsUtc - offsetAfter].filter(
    (instant, index, all) => all.indexOf(instant) === index && instant + offsetAt(instant, timeZone) === wallAsUtc,
  );
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  // In a gap: read the wall time with the offset in force before the jump.
  return new Date(wallAsUtc - offsetBefore);
};

const wallFormats = new Map<string, Intl.DateTimeFormat>();

/** What `timeZone`'s clocks read at `instant`, as a `datetime-local` value ("2026-03-29T10:30"); null for an unreadable instant. */
export const utcToWallTime = (instant: string | Date, timeZone: string): string | null => {
  const date = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(date.getTime())) return null;
  let format = wallFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    wallFormats.set(timeZone, format);
  }
  const parts = Object.fromEntries(format.formatToParts(date).map(part => [part.type, part.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
};

/** A reported time from a helpdesk link: an instant when it names its offset, otherwise a wall time on some clock. */
export type ReportedTime = { kind: 'instant'; iso: string } | { kind: 'wall'; wall: string };

const offsetPattern = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * Reads the `at` of a helpdesk link, ISO 8601: "2026-11-20T10:04:00+09:00" or "…Z" is an instant;
 * "2026-11-20T10:04" (seconds and fractions allowed, but no offset) is a wall time, as the customer
 * read it on their own clock. Null for anything else, or a date without a time.
 */
export const readReportedTime = (at: string | undefined): ReportedTime | null => {
  const text = at?.trim();
  if (!text || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(text)) return null;
  if (offsetPattern.test(text)) {
    const instant = new Date(text);
    return Number.isNaN(instant.getTime()) ? null : { kind: 'instant', iso: instant.toISOString() };
  }
  const wall = text.replace(/\.\d+$/, '').slice(0, 16);
  return parseWallTime(wall) ? { kind: 'wall', wall } : null;
};
