import type { Express } from 'express';
import request from 'supertest';
import { DEMO_INGEST_SECRET } from '../../../server/config.ts';
import { signBody } from '../../../server/ingest/signature.ts';

export interface StudioEvent {
  id: string;
  type: string;
  occurred_at: string;
  data: Record<string, unknown>;
}

/** Posts a batch signed as the studio signs it. */
export function postEvents(app: Express, events: unknown[], options: { secret?: string; at?: Date; rawBody?: string } = {}) {
  const body = options.rawBody ?? JSON.stringify({ events });
  const seconds = Math.floor((options.at ?? new Date('2026-11-20T12:00:00.000Z')).getTime() / 1000);
  return request(app)
    .post('/api/ingest/events')
    .set('Content-Type', 'application/json')
    .set('X-Signature', signBody(options.secret ?? DEMO_INGEST_SECRET, body, seconds))
    .send(body);
}

/**
 * A small studio story: a customer, a chat, a succeeded image run with an
 * asset, a failed video run that is charged and auto-refunded, a purchase.
 */
export function scenario(prefix = 's'): StudioEvent[] {
  const at = (minute: number): string => new Date(Date.UTC(2026, 10, 20, 10, minute)).toISOString();
  const customer = `${prefix}-cus`;
  const chat = `${prefix}-chat`;
  return [
    { id: `${prefix}-e1`, type: 'customer.upserted', occurred_at: at(0), data: { id: customer, name: 'Maya Chen', email: 'maya@example.com', plan: 'pro', time_zone: 'Europe/Paris' } },
    { id: `${prefix}-e2`, type: 'tokens.purchased', occurred_at: at(1), data: { transaction_id: `${prefix}-t-buy`, customer_id: customer, amount: 1000, created_at: at(1) } },
    { id: `${prefix}-e3`, type: 'chat.created', occurred_at: at(2), data: { id: chat, customer_id: customer, title: 'Spring launch', created_at: at(2) } },
    { id: `${prefix}-e4`, type: 'generation.started', occurred_at: at(3), data: { id: `${prefix}-g1`, chat_id: chat, customer_id: customer, tool: 'image', model: 'flux-pro', prompt: 'a red fox', started_at: at(3) } },
    { id: `${prefix}-e5`, type: 'tokens.charged', occurred_at: at(3), data: { transaction_id: `${prefix}-t-c1`, customer_id: customer, generation_id: `${prefix}-g1`, amount: 20, created_at: at(3) } },
    { id: `${prefix}-e6`, type: 'generation.succeeded', occurred_at: at(4), data: { id: `${prefix}-g1`, finished_at: at(4) } },
    { id: `${prefix}-e7`, type: 'asset.created', occurred_at: at(4), data: { id: `${prefix}-a1`, generation_id: `${prefix}-g1`, kind: 'image', mime: 'image/png', url: '/media/image-01.png', width: 512, height: 512, bytes: 40000, created_at: at(4) } },
    { id: `${prefix}-e8`, type: 'generation.started', occurred_at: at(5), data: { id: `${prefix}-g2`, chat_id: chat, customer_id: customer, tool: 'video', model: 'veo-lite', prompt: 'a fox running', started_at: at(5) } },
    { id: `${prefix}-e9`, type: 'tokens.charged', occurred_at: at(5), data: { transaction_id: `${prefix}-t-c2`, customer_id: customer, generation_id: `${prefix}-g2`, amount: 150, created_at: at(5) } },
    { id: `${prefix}-e10`, type: 'generation.failed', occurred_at: at(7), data: { id: `${prefix}-g2`, finished_at: at(7), error_code: 'gpu_timeout', error_message: 'GPU timed out' } },
    { id: `${prefix}-e11`, type: 'tokens.refunded', occurred_at: at(8), data: { transaction_id: `${prefix}-t-r2`, customer_id: customer, charge_transaction_id: `${prefix}-t-c2`, amount: 150, created_at: at(8) } },
  ];
}
