/**
 * How Token Desk words numbers, sizes, durations and times. The console is written in English,
 * so it formats in English whatever the browser's language: an agent reading "1,250 tokens" to a
 * customer must see the same figure as the one in the help article's wording.
 */
export const displayLocale = 'en-US';

const wholeNumber = new Intl.NumberFormat(displayLocale, { maximumFractionDigits: 0 });
const signedWholeNumber = new Intl.NumberFormat(displayLocale, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });

/** "12,345" — token amounts are integers; missing values show as a dash rather than "0". */
export const formatTokens = (amount: number | null | undefined): string =>
  amount == null || !Number.isFinite(amount) ? '—' : wholeNumber.format(amount);

/** "+1,200" / "-1,200" / "0": a ledger entry's signed amount. */
export const formatSignedTokens = (amount: number | null | undefined): string =>
  amount == null || !Number.isFinite(amount) ? '—' : signedWholeNumber.format(amount);

/** "1 token", "12,345 tokens". */
export const formatTokenCount = (amount: number): string =>
  `${formatTokens(amount)} ${Math.abs(amount) === 1 ? 'token' : 'tokens'}`;

const unitFormats = new Map<string, Intl.NumberFormat>();
const unitFormat = (unit: string, maximumFractionDigits: number) => {
  const key = `${unit}/${maximumFractionDigits}`;
  let format = unitFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(displayLocale, { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits });
    unitFormats.set(key, format);
  }
  return format;
};

const byteUnits = [
  { unit: 'gigabyte', size: 1e9 },
  { unit: 'megabyte', size: 1e6 },
  { unit: 'kilobyte', size: 1e3 },
] as const;

/** "812 byte", "14 kB", "1.4 MB": decimal units, as browsers and operating systems show downloads. */
export const formatBytes = (bytes: number | null | undefined): string => {
  if (bytes == null || !Number.isFinite(bytes) || bytes < 0) return '—';
  for (const { unit, size } of byteUnits) {
    if (bytes >= size) return unitFormat(unit, bytes >= size * 100 ? 0 : 1).format(bytes / size);
  }
  return unitFormat('byte', 0).format(bytes);
};

const twoDigits = (value: number) => String(value).padStart(2, '0');

/** "850 ms", "3.2 s", "1 min 05 s", "2 h 03 min": a media length or how long a run took. */
export const formatDuration = (ms: number | null | undefined): string => {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const tenths = Math.round(ms / 100);
  if (tenths < 600) return `${(tenths / 10).toFixed(tenths % 10 === 0 ? 0 : 1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${twoDigits(seconds % 60)} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${twoDigits(minutes % 60)} min`;
};

/** "1024 × 768 px", or a dash when the studio did not say. */
export const formatDimensions = (width: number | null | undefined, height: number | null | undefined): string =>
  width && height ? `${formatTokens(width)} × ${formatTokens(height)} px` : '—';

/** The time zone the browser runs in: where every time in the console is shown. */
export const viewerTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone;

const parseInstant = (value: string | Date | null | undefined): Date | null => {
  if (value == null || value === '') return null;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
};

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * "Nov 24, 2026, 9:30:15 AM GMT+1": an instant in `timeZone` (the viewer's unless told), with the
 * zone named so an agent comparing it with a customer's "around 10 o'clock" knows whose clock it is.
 */
export const formatDateTime = (value: string | Date | null | undefined, timeZone: string = viewerTimeZone()): string => {
  const instant = parseInstant(value);
  if (!instant) return '—';
  let format = dateTimeFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat(displayLocale, { dateStyle: 'medium', timeStyle: 'long', timeZone });
    dateTimeFormats.set(timeZone, format);
  }
  return format.format(instant);
};

/** "Tue 10:05 AM GMT+9": the wall clock somewhere else right now (a customer's local time). */
export const formatClock = (value: Date, timeZone: string): string =>
  new Intl.DateTimeFormat(displayLocale, {
    weekday: 'short',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(value);

/** The UTC ISO text of an instant (what the API sent), shown on hover beside every formatted time. */
export const utcIso = (value: string | Date | null | undefined): string | undefined => parseInstant(value)?.toISOString();

/** Whether `zone` is an IANA time zone this browser knows (customer records may carry anything). */
export const isKnownTimeZone = (zone: string | null | undefined): zone is string => {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat(displayLocale, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};
