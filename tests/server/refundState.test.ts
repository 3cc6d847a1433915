import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGenerationRepository } from '../../db/repositories/generationRepository.ts';
import { createPolicyRepository } from '../../db/repositories/policyRepository.ts';
import { createGraceCutoff } from '../../server/ledger/refundState.ts';
import { buildChat, buildCustomer, buildRun } from './support/builders.ts';
import { creditOps } from './support/creditOps.ts';
import { buildStaff, createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
let stateOf: (id: string) => string | undefined;
beforeEach(() => {
  t = createTestApp();
  const repo = createGenerationRepository(t.db);
  const cutoff = createGraceCutoff(t.db, t.ctx.clock);
  stateOf = (id) => repo.refundStateOf(id, cutoff());
});
afterEach(() => t.cleanup());

const minutesAgo = (t: TestApp, minutes: number): string => new Date(t.ctx.clock().getTime() - minutes * 60_000).toISOString();

describe('refund_state, first matching state in order of precedence', () => {
  function setup() {
    const customer = buildCustomer(t.ctx, { balance: 1000 });
    return { customer, chat: buildChat(t.ctx, customer.id) };
  }

  it('in_progress while queued or running, even when already charged', () => {
    const { customer, chat } = setup();
    expect(stateOf(buildRun(t.ctx, chat, customer.id, { status: 'queued' }).id)).toBe('in_progress');
    expect(stateOf(buildRun(t.ctx, chat, customer.id, { status: 'running', charge: 10 }).id)).toBe('in_progress');
  });

  it('not_charged when finished with no charge, failed or not', () => {
    const { customer, chat } = setup();
    expect(stateOf(buildRun(t.ctx, chat, customer.id, { status: 'succeeded' }).id)).toBe('not_charged');
    expect(stateOf(buildRun(t.ctx, chat, customer.id, { status: 'failed', finishedAt: minutesAgo(t, 60) }).id)).toBe('not_charged');
  });

  it('auto_refunded when an auto-refund reversed the charge', () => {
    const { customer, chat } = setup();
    expect(stateOf(buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 10, autoRefund: true }).id)).toBe('auto_refunded');
  });

  it('credited when manual credits net of voids are above zero, and back to none after a void', async () => {
    const { customer, chat } = setup();
    const ops = creditOps(t.ctx, (await buildStaff(t.ctx)).id);
    const run = buildRun(t.ctx, chat, customer.id, { charge: 40 });
    const credit = ops.create(customer.id, [{ generation_id: run.id, tokens: 10 }], 'applied');
    expect(stateOf(run.id)).toBe('credited');
    ops.voidCredit(credit);
    expect(stateOf(run.id)).toBe('none');
  });

  it('a pending credit does not make a run credited', async () => {
    const { customer, chat } = setup();
    const ops = creditOps(t.ctx, (await buildStaff(t.ctx)).id);
    const run = buildRun(t.ctx, chat, customer.id, { charge: 40 });
    ops.create(customer.id, [{ generation_id: run.id, tokens: 10 }], 'pending_approval');
    expect(stateOf(run.id)).toBe('none');
  });

  it('refund_pending within the grace period after finished_at, refund_missing after it', () => {
    const { customer, chat } = setup();
    const run = buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 10, finishedAt: minutesAgo(t, 14) });
    expect(stateOf(run.id)).toBe('refund_pending');
    t.time.advance(60_000);
    expect(stateOf(run.id)).toBe('refund_missing');
  });

  it('follows the configured grace period', () => {
    const { customer, chat } = setup();
    const run = buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 10, finishedAt: minutesAgo(t, 20) });
    expect(stateOf(run.id)).toBe('refund_missing');
    const policy = createPolicyRepository(t.db);
    policy.update({ ...policy.get(), refund_grace_minutes: 30 });
    expect(stateOf(run.id)).toBe('refund_pending');
  });

  it('none when succeeded and charged with nothing returned', () => {
    const { customer, chat } = setup();
    expect(stateOf(buildRun(t.ctx, chat, customer.id, { charge: 10 }).id)).toBe('none');
  });
});
