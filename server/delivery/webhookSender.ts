import type { WebhookConfig } from '../config.ts';
import { parseRetryAfter } from './retryTiming.ts';
import { signWebhook } from './webhookSignature.ts';

export type AttemptResult =
  | { delivered: true; status: number; studioRef: string | null }
  | { delivered: false; status: number | null; error: string; retryAfterMs: number | null; outcome: AttemptOutcome };

/** How an attempt ended, for the metrics. */
export type AttemptOutcome = 'delivered' | 'http_error' | 'redirect' | 'timeout' | 'connection_error';

export interface OutgoingEvent {
  id: string;
  body: string;
}

/** An answer's body is read up to this size (for `studio_transaction_id`); the rest is dropped. */
const MAX_ANSWER_BYTES = 64 * 1024;
const MAX_STUDIO_REF_LENGTH = 200;

async function readBounded(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ANSWER_BYTES) {
      await reader.cancel();
      break;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function studioRefOf(text: string): string | null {
  try {
    const parsed: unknown = JSON.parse(text);
    const ref = typeof parsed === 'object' && parsed !== null ? (parsed as { studio_transaction_id?: unknown }).studio_transaction_id : undefined;
    return typeof ref === 'string' && ref.length > 0 ? ref.slice(0, MAX_STUDIO_REF_LENGTH) : null;
  } catch {
    return null;
  }
}

/** Why a request failed before an answer, in words without the URL's query or any header. */
function describeNetworkError(error: unknown, timeoutMs: number): { error: string; outcome: AttemptOutcome } {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return { error: `no answer within ${timeoutMs / 1000} s`, outcome: 'timeout' };
  }
  const cause = error instanceof Error ? (error as Error & { cause?: { code?: unknown } }).cause : undefined;
  const code = typeof cause?.code === 'string' ? cause.code : null;
  if (code === 'ECONNREFUSED') return { error: 'connection refused', outcome: 'connection_error' };
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return { error: 'connection closed before an answer', outcome: 'connection_error' };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return { error: 'host name not found', outcome: 'connection_error' };
  if (code?.startsWith('UND_ERR_') && code.includes('TIMEOUT')) return { error: `no answer within ${timeoutMs / 1000} s`, outcome: 'timeout' };
  return { error: code ? `network error (${code})` : 'network error', outcome: 'connection_error' };
}

/**
 * One attempt: POSTs the frozen body, signed for this attempt, and reads the
 * answer. Never throws: every failure is an outcome to record. Redirects are
 * not followed (a 3xx is a failed attempt); the timeout covers the whole
 * exchange, answer body included.
 */
export async function sendWebhook(config: WebhookConfig, event: OutgoingEvent): Promise<AttemptResult> {
  // The wall clock, not the app's: the receiver compares the timestamp with its own clock.
  const timestamp = Math.floor(Date.now() / 1000);
  try {
    const response = await fetch(config.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'TokenDesk-Webhooks/1',
        'webhook-id': event.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(event.id, timestamp, event.body, config.keys),
      },
      body: event.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutMs),
    });
    const text = await readBounded(response);
    const status = response.status;
    if (status >= 200 && status < 300) return { delivered: true, status, studioRef: studioRefOf(text) };
    const redirect = status >= 300 && status < 400;
    const retryAfterMs = status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after'), Date.now()) : null;
    return {
      delivered: false, status, retryAfterMs,
      error: redirect ? `answered ${status}: redirects are not followed` : `answered ${status}`,
      outcome: redirect ? 'redirect' : 'http_error',
    };
  } catch (error) {
    return { delivered: false, status: null, retryAfterMs: null, ...describeNetworkError(error, config.timeoutMs) };
  }
}
