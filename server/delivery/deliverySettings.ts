import { isIP } from 'node:net';

/**
 * Parsing of the delivery variables (docs/integration.md, Configuration).
 * Each returns the value, or a message naming what is wrong with it; the
 * message never repeats the value, which may be a secret.
 */

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (message: string): Parsed<never> => ({ ok: false, message });

export const DEFAULT_RETRY_SCHEDULE = '5s,5m,30m,2h,5h,10h,14h,20h,24h';
const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000 } as const;
const MAX_WAIT_MS = 7 * 24 * 3_600_000;
const MAX_SCHEDULE_STEPS = 50;

/** `5s,5m,30m,2h`: the waits after each failed attempt, in milliseconds. */
export function parseRetrySchedule(text: string): Parsed<number[]> {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length > MAX_SCHEDULE_STEPS) return fail(`must list at most ${MAX_SCHEDULE_STEPS} waits`);
  const waits: number[] = [];
  for (const part of parts) {
    const match = /^([1-9]\d{0,6})([smh])$/.exec(part);
    if (!match) return fail(`must be waits like 5s,5m,2h (a whole number and s, m or h, comma-separated); "${part.slice(0, 20)}" is not one`);
    const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
    if (ms > MAX_WAIT_MS) return fail('each wait must be at most 7 days');
    waits.push(ms);
  }
  return ok(waits);
}

/** `whsec_` + base64 of at least 24 bytes: the HMAC key is the decoded bytes. */
export function parseWebhookSecret(text: string): Parsed<Buffer> {
  if (!text.startsWith('whsec_')) return fail('must start with whsec_ followed by base64 of at least 24 random bytes');
  const encoded = text.slice('whsec_'.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 === 1) return fail('must be whsec_ followed by base64');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 24) return fail(`must hold at least 24 bytes after whsec_ (it holds ${key.length})`);
  return ok(key);
}

const isLoopbackHost = (hostname: string): boolean => {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
};

/** `https:` anywhere, `http:` to a loopback address only; never credentials in the URL. */
export function parseWebhookUrl(text: string): Parsed<URL> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('must be an absolute URL');
  }
  if (url.username || url.password) return fail('must not carry a user name or password');
  if (url.hash) return fail('must not carry a #fragment');
  if (url.protocol === 'https:') return ok(url);
  if (url.protocol === 'http:') return isLoopbackHost(url.hostname) ? ok(url) : fail('may use http: only to a loopback address (127.0.0.1, ::1, localhost); use https:');
  return fail('must be an https: URL');
}
