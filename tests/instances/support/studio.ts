/**
 * The studio's side of ingestion (docs/integration.md § 1): events, and
 * batches signed with the shared secret, as the studio would send them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { call, type Answer } from './http.ts';

/** INGEST_SECRET's value outside production (README, Configuration; docs/integration.md, Worked example). */
export const DEMO_INGEST_SECRET = 'token-desk-demo-ingest-secret';

export interface StudioEvent {
  id: string;
  type: string;
  occurred_at: string;
  data: Record<string, unknown>;
}

export interface IngestAnswer {
  accepted: number;
  duplicates: number;
  rejected: { id: string; error: string }[];
}

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` */
export function signIngest(body: string, secret = DEMO_INGEST_SECRET): string {
  const t = Math.floor(Date.now() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

/** Posts one signed batch (at most 1000 events). */
export function ingest(baseUrl: string, events: StudioEvent[], timeoutMs?: number): Promise<Answer<IngestAnswer>> {
  const body = JSON.stringify({ events });
  return call<IngestAnswer>(baseUrl, '/api/ingest/events', { rawBody: body, headers: { 'X-Signature': signIngest(body) }, timeoutMs });
}

/** Posts events in batches of at most 1000, one after another; fails loudly on anything but a clean answer. */
export async function ingestAll(baseUrl: string, events: StudioEvent[]): Promise<void> {
  for (let from = 0; from < events.length; from += 1000) {
    const batch = events.slice(from, from + 1000);
    const answer = await ingest(baseUrl, batch, 60_000);
    if (answer.status !== 200 || answer.body.rejected.length > 0 || answer.body.accepted !== batch.length) {
      throw new Error(`set-up batch answered ${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`);
    }
  }
}

/** A prefix no other test or run shares: ids in one database never collide. */
export const uniquePrefix = (label: string): string => `${label}-${randomBytes(4).toString('hex')}`;

const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();

export interface StudioCustomer {
  customerId: string;
  chatId: string;
  /** Succeeded, charged runs: eligible for a manual credit of their whole charge. */
  runIds: string[];
  events: StudioEvent[];
}

/**
 * A customer with a purchase, one chat and `runs` succeeded runs, each charged
 * `charge` tokens: what an agent credits.
 */
export function customerWithRuns(prefix: string, runs: number, charge: number): StudioCustomer {
  const customerId = `${prefix}-cus`;
  const chatId = `${prefix}-chat`;
  const at = minutesAgo(60);
  const events: StudioEvent[] = [
    { id: `${prefix}-e-cus`, type: 'customer.upserted', occurred_at: at, data: { id: customerId, name: `Customer ${prefix}`, email: `${prefix}@example.com`, plan: 'pro', time_zone: 'Europe/Paris' } },
    { id: `${prefix}-e-buy`, type: 'tokens.purchased', occurred_at: at, data: { transaction_id: `${prefix}-t-buy`, customer_id: customerId, amount: 1000, created_at: at } },
    { id: `${prefix}-e-chat`, type: 'chat.created', occurred_at: at, data: { id: chatId, customer_id: customerId, title: 'Instances', created_at: at } },
  ];
  const runIds: string[] = [];
  for (let n = 0; n < runs; n++) {
    const run = `${prefix}-g${n}`;
    const started = minutesAgo(50);
    const finished = minutesAgo(49);
    runIds.push(run);
    events.push(
      { id: `${prefix}-e-g${n}-start`, type: 'generation.started', occurred_at: started, data: { id: run, chat_id: chatId, customer_id: customerId, tool: 'image', model: 'flux-pro', prompt: 'a red fox', started_at: started } },
      { id: `${prefix}-e-g${n}-charge`, type: 'tokens.charged', occurred_at: started, data: { transaction_id: `${prefix}-t-g${n}`, customer_id: customerId, generation_id: run, amount: charge, created_at: started } },
      { id: `${prefix}-e-g${n}-done`, type: 'generation.succeeded', occurred_at: finished, data: { id: run, finished_at: finished } },
    );
  }
  return { customerId, chatId, runIds, events };
}

/** The body of POST /api/credits for whole runs (docs/api.md): the suggested amounts, so no note is needed. */
export function creditBody(customerId: string, runIds: string[], charge: number, overrides: Record<string, unknown> = {}) {
  return {
    customer_id: customerId,
    items: runIds.map((generation_id) => ({ generation_id, tokens: charge })),
    amount: runIds.length * charge,
    reason: 'visual_artifacts',
    ticket_ref: 'T-INST-1',
    expected: 'A clean product shot',
    received: 'Stripes across the image',
    ...overrides,
  };
}
