import { chatRepository } from '../../../db/repositories/chatRepository.ts';
import { customerRepository } from '../../../db/repositories/customerRepository.ts';
import { generationRepository, type GenerationRow } from '../../../db/repositories/generationRepository.ts';
import type { AppContext } from '../../../server/context.ts';
import { newId } from '../../../server/ids.ts';

let counter = 0;
const next = (): number => ++counter;

/** A customer, with a purchase through the real ledger when `balance` is given. */
export async function buildCustomer(
  ctx: AppContext,
  fields: { id?: string; name?: string; email?: string; balance?: number; plan?: string; createdAt?: string } = {},
) {
  const n = next();
  const id = fields.id ?? `cus_${n}_${newId('t').slice(-6)}`;
  const at = fields.createdAt ?? ctx.clock().toISOString();
  await ctx.storage.transaction(async (tx) => {
    await customerRepository.insert(tx, {
      id, name: fields.name ?? `Customer ${n}`, email: fields.email ?? `customer${n}@example.com`, plan: fields.plan ?? 'pro',
      time_zone: 'Europe/Paris', created_at: at, source_at: at,
    });
    if (fields.balance) await ctx.ledger.append(tx, { customerId: id, kind: 'purchase', amount: fields.balance });
  });
  return { id };
}

export async function buildChat(ctx: AppContext, customerId: string, fields: { id?: string; title?: string; createdAt?: string } = {}) {
  const id = fields.id ?? `chat-${next()}-${newId('t').slice(-6)}`;
  await ctx.storage.transaction((tx) =>
    chatRepository.insert(tx, { id, customer_id: customerId, title: fields.title ?? 'A chat', created_at: fields.createdAt ?? ctx.clock().toISOString() }),
  );
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
export async function buildRun(ctx: AppContext, chat: { id: string }, customerId: string, fields: RunFields = {}) {
  const id = fields.id ?? `gen_${next()}_${newId('t').slice(-6)}`;
  const now = ctx.clock().toISOString();
  const status = fields.status ?? 'succeeded';
  const finished = status === 'succeeded' || status === 'failed' ? (fields.finishedAt ?? now) : null;
  const tool = fields.tool ?? 'image';
  return ctx.storage.transaction(async (tx) => {
    let chargeId: string | null = null;
    let refundId: string | null = null;
    await generationRepository.insert(tx, {
      id, chat_id: chat.id, customer_id: customerId, tool, model: 'flux-pro', prompt: 'a red fox in snow', status,
      error_code: status === 'failed' ? 'gpu_timeout' : null, error_message: null,
      started_at: fields.startedAt ?? now, finished_at: finished, status_at: now,
    });
    if (fields.charge) {
      chargeId = (await ctx.ledger.append(tx, { customerId, kind: 'charge', amount: -fields.charge, generationId: id, chatId: chat.id, tool })).id;
      if (fields.autoRefund) {
        refundId = (
          await ctx.ledger.append(tx, { customerId, kind: 'auto_refund', amount: fields.charge, generationId: id, chatId: chat.id, tool, reversesId: chargeId })
        ).id;
      }
    }
    return { id, chargeId, refundId };
  });
}
