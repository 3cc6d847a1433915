import { createHmac } from 'node:crypto';
import type { Secret } from './secret.ts';

/**
 * The Standard Webhooks signature of one attempt: `v1,<base64 HMAC-SHA256 of
 * "<id>.<timestamp>.<body>">` for each key, space-separated, so a receiver
 * that knows either the current or the previous secret accepts it during a
 * rotation. `keys` hold the base64 of the bytes after `whsec_`.
 */
export function signWebhook(id: string, timestampSeconds: number, body: string, keys: readonly Secret[]): string {
  const signed = `${id}.${timestampSeconds}.${body}`;
  return keys
    .map((key) => `v1,${createHmac('sha256', Buffer.from(key.reveal(), 'base64')).update(signed, 'utf8').digest('base64')}`)
    .join(' ');
}
