import { sqliteOf } from './testApp.ts';
import { createChatRepository } from '../../../db/repositories/chatRepository.ts';
import { createCustomerRepository } from '../../../db/repositories/customerRepository.ts';
import { createGenerationRepository, type GenerationRow } from '../../../db/repositories/generationRepository.ts';
import type { AppContext } from '../../../server/context.ts';
import { newId } from '../../../server/ids.ts';

let counter = 0;
const next = (): number => ++counter;

export function buildCustomer(
  ctx: AppContext,
  fields: { id?: string; name?: string; email?: string; balance?: number; plan?: string; createdAt?: string } = {},
) {
  const n = next();
  const id = fields.id ?? `cus_${n}_${newId('t').slice(-6)}`;
  const at = fields.createdAt ?? ctx.clock().toISOString();
  createCustomerRepository(sqliteOf(ctx)).insert({
    id, name: fields.name ?? `Customer ${n}`, email: fields.email ?? `customer${n}@example.com`, plan: fields.plan ?? 'pro',
    time_zone: 'Europe/Paris', created_at: at, source_at: at,
  });
  if (fields.balance) {
    sqliteOf(ctx).transaction(() => ctx.ledger.post({ customerId: id, kind: 'purchase', amount: fields.balance ?? 0 })).immediate();
  }
  return { id };
}

export function buildChat(ctx: AppContext, customerId: string, fields: { id?: string; title?: string; createdAt?: string } = {}) {
  const id = fields.id ?? `chat-${next()}-${newId('t').slice(-6)}`;
  createChatRepository(sqliteOf(ctx)).insert({
    id, customer_id: customerId, title: fields.title ?? 'A chat', created_at: fields.createdAt ?? ctx.clock().toISOString(),
  });
  return { id };
}

export interface RunFields {
  id?: string;
  tool?: string;
  status?: GenerationRow['status'];
  charge?: number;
  autoRefund?: boolean;
  finishedAt?: string;
  startedAt?: string;
}

/** A run in a chat, optionally charged and auto-refunded, through the real ledger. */
export function buildRun(ctx: AppContext, chat: { id: string }, customerId: string, fields: RunFields = {}) {
  const id = fields.id ?? `gen_${next()}_${newId('t').slice(-6)}`;
  const now = ctx.clock().toISOString();
  const status = fields.status ?? 'succeeded';
  const finished = status === 'succeeded' || status === 'failed' ? (fields.finishedAt ?? now) : null;
  const tool = fields.tool ?? 'image';
  let chargeId: string | null = null;
  let refundId: string | null = null;
  sqliteOf(ctx)
    .transaction(() => {
      createGenerationRepository(sqliteOf(ctx)).insert({
        id, chat_id: chat.id, customer_id: customerId, tool, model: 'flux-pro', prompt: 'a red fox in snow', status,
        error_code: status === 'failed' ? 'gpu_timeout' : null, error_message: null,
        started_at: fields.startedAt ?? now, finished_at: finished, status_at: now,
      });
      if (fields.charge) {
        chargeId = ctx.ledger.post({ customerId, kind: 'charge', amount: -fields.charge, generationId: id, chatId: chat.id, tool }).id;
        if (fields.autoRefund) {
          refundId = ctx.ledger.post({
            customerId, kind: 'auto_refund', amount: fields.charge, generationId: id, chatId: chat.id, tool, reversesId: chargeId,
          }).id;
        }
      }
    })
    .immediate();
  return { id, chargeId, refundId };
}
