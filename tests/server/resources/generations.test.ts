import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { policyRepository } from '../../../db/repositories/policyRepository.ts';
import { refundStates } from '../../../shared/refundState.ts';
import { generationRecordSchema, type GenerationRecord } from '../../../shared/records.ts';
import { buildChat, buildCustomer, buildRun } from '../support/builders.ts';
import { creditOps } from '../support/creditOps.ts';
import { buildStaff, createTestApp, type TestApp } from '../support/testApp.ts';
import { buildAsset, getList, listIds, minutesFromNow, reader, type Browser } from './listClient.ts';

let t: TestApp;
let browser: Browser;
beforeEach(async () => {
  t = await createTestApp();
  browser = await reader(t);
});
afterEach(() => t.cleanup());

const getRun = async (id: string): Promise<GenerationRecord> => {
  const res = await browser.get(`/api/generations/${id}`);
  expect(res.status).toBe(200);
  return generationRecordSchema.strict().parse(res.body);
};

/** One run in each refund state of docs/domain.md, in one chat of one customer. */
async function buildEveryState() {
  const customer = await buildCustomer(t.ctx, { balance: 5000 });
  const chat = await buildChat(t.ctx, customer.id);
  const ops = creditOps(t.ctx, (await buildStaff(t.ctx, { role: 'lead' })).id);
  const at = (minutes: number) => minutesFromNow(t, minutes);
  const runs = {
    in_progress: await buildRun(t.ctx, chat, customer.id, { status: 'running', charge: 10, startedAt: at(-70) }),
    not_charged: await buildRun(t.ctx, chat, customer.id, { status: 'failed', startedAt: at(-65), finishedAt: at(-64) }),
    auto_refunded: await buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 40, autoRefund: true, tool: 'video', startedAt: at(-60), finishedAt: at(-59) }),
    credited: await buildRun(t.ctx, chat, customer.id, { charge: 50, startedAt: at(-50) }),
    refund_pending: await buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 30, tool: 'video', startedAt: at(-12), finishedAt: at(-10) }),
    refund_missing: await buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 20, tool: 'animation', startedAt: at(-40), finishedAt: at(-30) }),
    none: await buildRun(t.ctx, chat, customer.id, { charge: 25, startedAt: at(-20) }),
  };
  await ops.create(customer.id, [{ generation_id: runs.credited.id, tokens: 15 }], 'applied');
  await ops.create(customer.id, [{ generation_id: runs.credited.id, tokens: 5 }], 'pending_approval');
  return { customer, chat, runs, ops };
}

describe('GET /api/generations', () => {
  it('answers the run with its refund state, tokens and the proof of its auto-refund', async () => {
    const { customer, chat, runs } = await buildEveryState();
    const refunded = await getRun(runs.auto_refunded.id);
    expect(refunded).toEqual({
      id: runs.auto_refunded.id, chat_id: chat.id, customer_id: customer.id, tool: 'video', model: 'flux-pro', prompt: 'a red fox in snow',
      status: 'failed', error_code: 'gpu_timeout', error_message: null, started_at: minutesFromNow(t, -60), finished_at: minutesFromNow(t, -59),
      refund_state: 'auto_refunded', tokens_charged: 40, tokens_returned: 40, tokens_auto_refunded: 40, tokens_credited: 0, tokens_reserved: 0,
      asset_count: 0, charge_id: runs.auto_refunded.chargeId, auto_refund_id: runs.auto_refunded.refundId, auto_refunded_at: t.ctx.clock().toISOString(),
    });
    const entry = await t.row('SELECT kind, amount, reverses_id FROM ledger_entries WHERE id = ?', [refunded.auto_refund_id]);
    expect(entry).toEqual({ kind: 'auto_refund', amount: 40, reverses_id: runs.auto_refunded.chargeId });

    expect(await getRun(runs.credited.id)).toMatchObject({
      refund_state: 'credited', tokens_charged: 50, tokens_returned: 15, tokens_credited: 15, tokens_reserved: 5, auto_refund_id: null, auto_refunded_at: null,
    });
  });

  it('filters by each refund state, and the filter agrees with every record', async () => {
    const { runs } = await buildEveryState();
    for (const state of refundStates) {
      const answer = await getList<GenerationRecord>(browser, 'generations', { filter: { refund_state: state } });
      expect(answer.status).toBe(200);
      expect(answer.rows.map((run) => run.id)).toEqual([runs[state].id]);
      expect(answer.rows[0].refund_state).toBe(state);
      expect(answer.contentRange).toBe('generations 0-0/1');
    }
    const all = await getList<GenerationRecord>(browser, 'generations');
    expect(new Set(all.rows.map((run) => run.refund_state))).toEqual(new Set(refundStates));
  });

  it('moves a run from refund_pending to refund_missing when the grace period ends, and follows the policy', async () => {
    const { runs, chat } = await buildEveryState();
    const pending = () => listIds(browser, 'generations', { filter: { chat_id: chat.id, refund_state: 'refund_pending' } });
    expect(await pending()).toEqual([runs.refund_pending.id]);
    t.time.advance(6 * 60_000);
    expect(await pending()).toEqual([]);
    expect(await listIds(browser, 'generations', { filter: { refund_state: 'refund_missing' }, sort: ['started_at', 'ASC'] })).toEqual([
      runs.refund_missing.id, runs.refund_pending.id,
    ]);
    await t.ctx.storage.transaction(async (tx) => policyRepository.update(tx, { ...(await policyRepository.get(tx)), refund_grace_minutes: 60 }));
    expect(await listIds(browser, 'generations', { filter: { refund_state: 'refund_pending' }, sort: ['started_at', 'ASC'] })).toEqual([
      runs.refund_missing.id, runs.refund_pending.id,
    ]);
  });

  it('counts tokens_returned as auto-refunded plus credited net of voids, and releases a rejected reservation', async () => {
    const { customer, chat, ops } = await buildEveryState();
    const run = await buildRun(t.ctx, chat, customer.id, { charge: 100 });
    const first = await ops.create(customer.id, [{ generation_id: run.id, tokens: 30 }], 'applied');
    await ops.create(customer.id, [{ generation_id: run.id, tokens: 20 }], 'applied');
    const pending = await ops.create(customer.id, [{ generation_id: run.id, tokens: 40 }], 'pending_approval');
    expect(await getRun(run.id)).toMatchObject({ refund_state: 'credited', tokens_returned: 50, tokens_credited: 50, tokens_reserved: 40 });
    await ops.voidCredit(first);
    await ops.reject(pending);
    expect(await getRun(run.id)).toMatchObject({ refund_state: 'credited', tokens_returned: 20, tokens_credited: 20, tokens_reserved: 0 });
    const counters = await t.row('SELECT tokens_charged, tokens_auto_refunded, tokens_credited, tokens_reserved FROM generations WHERE id = ?', [run.id]);
    expect(counters).toEqual({ tokens_charged: 100, tokens_auto_refunded: 0, tokens_credited: 20, tokens_reserved: 0 });
  });

  it('filters by customer_id, chat_id, tool, status and started_at, with exact totals when narrowed', async () => {
    const { customer, chat, runs } = await buildEveryState();
    const other = await buildCustomer(t.ctx);
    const otherChat = await buildChat(t.ctx, other.id);
    const stranger = await buildRun(t.ctx, otherChat, other.id, { tool: 'video', startedAt: minutesFromNow(t, -45) });
    const ids = (filter: Record<string, unknown>) => listIds(browser, 'generations', { filter, sort: ['started_at', 'ASC'] });

    expect(await ids({ customer_id: other.id })).toEqual([stranger.id]);
    expect(await ids({ chat_id: otherChat.id })).toEqual([stranger.id]);
    expect(await ids({ customer_id: customer.id })).toHaveLength(7);
    const page = await getList(browser, 'generations', { filter: { chat_id: chat.id }, range: [0, 2], sort: ['started_at', 'ASC'] });
    expect(page.contentRange).toBe('generations 0-2/7');
    expect(await ids({ tool: 'video' })).toEqual([runs.auto_refunded.id, stranger.id, runs.refund_pending.id]);
    expect(await ids({ tool: 'video', customer_id: customer.id })).toEqual([runs.auto_refunded.id, runs.refund_pending.id]);
    expect(await ids({ status: 'running' })).toEqual([runs.in_progress.id]);
    expect(await ids({ status: 'failed', chat_id: chat.id })).toEqual([
      runs.not_charged.id, runs.auto_refunded.id, runs.refund_missing.id, runs.refund_pending.id,
    ]);
    expect(await ids({ started_at_gte: minutesFromNow(t, -50), started_at_lte: minutesFromNow(t, -20) })).toEqual([
      runs.credited.id, stranger.id, runs.refund_missing.id, runs.none.id,
    ]);
    expect(await ids({ chat_id: chat.id, started_at_gte: minutesFromNow(t, -50), started_at_lte: minutesFromNow(t, -20) })).toEqual([
      runs.credited.id, runs.refund_missing.id, runs.none.id,
    ]);
    const bad = await getList(browser, 'generations', { filter: { status: 'done', refund_state: 'maybe' } });
    expect(Object.keys(bad.res.body.errors).sort()).toEqual(['filter.refund_state', 'filter.status']);
  });

  it('sorts by started_at both ways; other fields only within a customer, chat or run', async () => {
    const { chat, runs } = await buildEveryState();
    const oldestFirst = [runs.in_progress, runs.not_charged, runs.auto_refunded, runs.credited, runs.refund_missing, runs.none, runs.refund_pending].map((r) => r.id);
    expect(await listIds(browser, 'generations', { sort: ['started_at', 'ASC'] })).toEqual(oldestFirst);
    expect(await listIds(browser, 'generations', { sort: ['started_at', 'DESC'] })).toEqual([...oldestFirst].reverse());
    const byCharge = await listIds(browser, 'generations', { filter: { chat_id: chat.id }, sort: ['tokens_charged', 'DESC'] });
    expect(byCharge.slice(0, 3)).toEqual([runs.credited.id, runs.auto_refunded.id, runs.refund_pending.id]);
    const unbounded = await getList(browser, 'generations', { sort: ['tokens_charged', 'DESC'] });
    expect(unbounded.status).toBe(400);
    expect(unbounded.res.body.errors).toEqual({ sort: 'sorting generations by tokens_charged needs a chat_id or customer_id filter' });
  });

  it('counts the assets of a run', async () => {
    const { customer, runs } = await buildEveryState();
    await buildAsset(t.ctx, runs.none, customer.id);
    await buildAsset(t.ctx, runs.none, customer.id, { kind: 'video' });
    expect((await getRun(runs.none.id)).asset_count).toBe(2);
  });
});
