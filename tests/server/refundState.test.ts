import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generationRepository } from '../../db/repositories/generationRepository.ts';
import { policyRepository } from '../../db/repositories/policyRepository.ts';
import { graceCutoff } from '../../server/ledger/refundState.ts';
import { buildChat, buildCustomer, buildRun } from './support/builders.ts';
import { creditOps } from './support/creditOps.ts';
import { buildStaff, createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

const stateOf = async (id: string): Promise<string | undefined> =>
  generationRepository.refundStateOf(t.ctx.storage, id, await graceCutoff(t.ctx.storage, t.ctx.clock));
const minutesAgo = (t: TestApp, minutes: number): string => new Date(t.ctx.clock().getTime() - minutes * 60_000).toISOString();

describe('refund_state, first matching state in order of precedence', () => {
  async function setup() {
    const customer = await buildCustomer(t.ctx, { balance: 1000 });
    return { customer, chat: await buildChat(t.ctx, customer.id) };
  }

  it('in_progress while queued or running, even when already charged', async () => {
    const { customer, chat } = await setup();
    expect(await stateOf((await buildRun(t.ctx, chat, customer.id, { status: 'queued' })).id)).toBe('in_progress');
    expect(await stateOf((await buildRun(t.ctx, chat, customer.id, { status: 'running', charge: 10 })).id)).toBe('in_progress');
  });

  it('not_charged when finished with no charge, failed or not', async () => {
    const { customer, chat } = await setup();
    expect(await stateOf((await buildRun(t.ctx, chat, customer.id, { status: 'succeeded' })).id)).toBe('not_charged');
    expect(await stateOf((await buildRun(t.ctx, chat, customer.id, { status: 'failed', finishedAt: minutesAgo(t, 60) })).id)).toBe('not_charged');
  });

  it('auto_refunded when an auto-refund reversed the charge', async () => {
    const { customer, chat } = await setup();
    expect(await stateOf((await buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 10, autoRefund: true })).id)).toBe('auto_refunded');
  });

  it('credited when manual credits net of voids are above zero, and back to none after a void', async () => {
    const { customer, chat } = await setup();
    const ops = creditOps(t.ctx, (await buildStaff(t.ctx)).id);
    const run = await buildRun(t.ctx, chat, customer.id, { charge: 40 });
    const credit = await ops.create(customer.id, [{ generation_id: run.id, tokens: 10 }], 'applied');
    expect(await stateOf(run.id)).toBe('credited');
    await ops.voidCredit(credit);
    expect(await stateOf(run.id)).toBe('none');
  });

  it('a pending credit does not make a run credited', async () => {
    const { customer, chat } = await setup();
    const ops = creditOps(t.ctx, (await buildStaff(t.ctx)).id);
    const run = await buildRun(t.ctx, chat, customer.id, { charge: 40 });
    await ops.create(customer.id, [{ generation_id: run.id, tokens: 10 }], 'pending_approval');
    expect(await stateOf(run.id)).toBe('none');
  });

  it('refund_pending within the grace period after finished_at, refund_missing after it', async () => {
    const { customer, chat } = await setup();
    const run = await buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 10, finishedAt: minutesAgo(t, 14) });
    expect(await stateOf(run.id)).toBe('refund_pending');
    t.time.advance(60_000);
    expect(await stateOf(run.id)).toBe('refund_missing');
  });

  it('follows the configured grace period', async () => {
    const { customer, chat } = await setup();
    const run = await buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 10, finishedAt: minutesAgo(t, 20) });
    expect(await stateOf(run.id)).toBe('refund_missing');
    await t.ctx.storage.transaction(async (tx) => policyRepository.update(tx, { ...(await policyRepository.get(tx)), refund_grace_minutes: 30 }));
    expect(await stateOf(run.id)).toBe('refund_pending');
  });

  it('none when succeeded and charged with nothing returned', async () => {
    const { customer, chat } = await setup();
    expect(await stateOf((await buildRun(t.ctx, chat, customer.id, { charge: 10 })).id)).toBe('none');
  });
});
