import type { Express } from 'express';
import type { AppContext } from '../../../server/context.ts';
import { buildChat, buildCustomer, buildRun } from './builders.ts';
import { buildStaff, signIn } from './testApp.ts';

export type SignedIn = Awaited<ReturnType<typeof signIn>>;

/** A customer with a chat of runs, and signed-in agent, lead, second lead and admin. */
export async function creditWorld(app: Express, ctx: AppContext) {
  const customer = await buildCustomer(ctx, { balance: 1000, name: 'Maya Chen' });
  const chat = await buildChat(ctx, customer.id);
  const succeeded = await buildRun(ctx, chat, customer.id, { charge: 120 });
  const second = await buildRun(ctx, chat, customer.id, { charge: 80, tool: 'video' });
  const refunded = await buildRun(ctx, chat, customer.id, { status: 'failed', charge: 150, autoRefund: true });
  const missing = await buildRun(ctx, chat, customer.id, { status: 'failed', charge: 60, finishedAt: new Date(ctx.clock().getTime() - 3_600_000).toISOString() });
  const people = {
    agent: await buildStaff(ctx, { role: 'agent', name: 'Ada Agent' }),
    lead: await buildStaff(ctx, { role: 'lead', name: 'Lee Lead' }),
    lead2: await buildStaff(ctx, { role: 'lead', name: 'Lou Lead' }),
    admin: await buildStaff(ctx, { role: 'admin', name: 'Ari Admin' }),
  };
  const [agent, lead, lead2, admin] = await Promise.all([
    signIn(app, people.agent.email), signIn(app, people.lead.email), signIn(app, people.lead2.email), signIn(app, people.admin.email),
  ]);
  return { customer, chat, runs: { succeeded, second, refunded, missing }, people, as: { agent, lead, lead2, admin } };
}

let keyCounter = 0;
export const freshKey = (): string => `key-${Date.now()}-${++keyCounter}`;

export function creditBody(customerId: string, items: { generation_id: string; tokens: number }[], overrides: Record<string, unknown> = {}) {
  return {
    customer_id: customerId,
    items,
    amount: items.reduce((sum, item) => sum + item.tokens, 0),
    reason: 'visual_artifacts',
    ticket_ref: 'ZD-1042',
    expected: 'A clean product shot',
    received: 'Stripes across the image',
    ...overrides,
  };
}

/** POST /api/credits as `who`, with a fresh or given idempotency key. */
export function postCredit(who: SignedIn, body: unknown, key: string = freshKey()) {
  return who.agent.post('/api/credits').set('X-CSRF-Token', who.csrf).set('Idempotency-Key', key).send(body as object);
}

export function act(who: SignedIn, path: string, body: object = {}) {
  return who.agent.post(path).set('X-CSRF-Token', who.csrf).send(body);
}
