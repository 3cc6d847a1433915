import { createHmac, timingSafeEqual } from 'node:crypto';
import { DomainError } from '../errors.ts';

export const SIGNATURE_HEADER = 'X-Signature';
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export class BadSignature extends DomainError {
  constructor(message: string) {
    super(401, 'bad_signature', message);
  }
}

export class StaleSignature extends DomainError {
  constructor() {
    super(401, 'stale_signature', `The signature timestamp is more than ${SIGNATURE_TOLERANCE_SECONDS / 60} minutes away from the console's clock.`);
  }
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, as the studio sends it. */
export function signBody(secret: string, rawBody: string | Buffer, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.`).update(rawBody).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * Checks the header against the raw bytes received. Several `v1=` values are
 * allowed (any may match), so the studio can sign with an old and a new
 * secret while the secret is rotated.
 */
export function verifySignature(header: string | undefined, rawBody: Buffer, secret: string, nowMs: number): void {
  if (!header) throw new BadSignature(`The ${SIGNATURE_HEADER} header is missing.`);
  const parts = header.split(',').map((part) => part.trim().split('='));
  const timestamp = parts.find(([key]) => key === 't')?.[1];
  const macs = parts.filter(([key, value]) => key === 'v1' && value !== undefined).map(([, value]) => value);
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || macs.length === 0) {
    throw new BadSignature(`The ${SIGNATURE_HEADER} header must look like t=<unix seconds>,v1=<hex HMAC>.`);
  }
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
  const matches = macs.some((mac) => {
    if (!/^[0-9a-f]{64}$/i.test(mac)) return false;
    return timingSafeEqual(Buffer.from(mac, 'hex'), expected);
  });
  if (!matches) throw new BadSignature('The signature does not match the body and the ingest secret.');
  // Checked after the MAC, so an unsigned caller learns nothing about the clock.
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_SECONDS) throw new StaleSignature();
}
