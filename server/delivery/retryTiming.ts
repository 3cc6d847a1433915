/** How long to wait before the next attempt of a failing event (docs/integration.md, Retries). */

/** Each wait of the schedule is stretched or shrunk by up to this share, so retries of many events spread out. */
export const JITTER = 0.2;

/** A `Retry-After` longer than this is read as this: a receiver cannot park an event for weeks. */
export const MAX_RETRY_AFTER_MS = 24 * 3_600_000;

/** The schedule's wait with ±20 % jitter; `random` returns [0, 1). */
export const jittered = (waitMs: number, random: () => number): number => Math.round(waitMs * (1 - JITTER + 2 * JITTER * random()));

/** `Retry-After` as seconds or an HTTP date, in milliseconds from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null;
  const text = value.trim();
  if (/^\d{1,10}$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.min(Math.max(at - now, 0), MAX_RETRY_AFTER_MS);
}
