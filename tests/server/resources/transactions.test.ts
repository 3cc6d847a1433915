import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TOTAL_CAP } from '../../../shared/listQuery.ts';
import { transactionRecordSchema, type TransactionRecord } from '../../../shared/records.ts';
import { buildChat, buildCustomer, buildRun } from '../support/builders.ts';
import { creditOps } from '../support/creditOps.ts';
import { buildStaff, createTestApp, type TestApp } from '../support/testApp.ts';
import { getList, listIds, reader, type Browser } from './listClient.ts';

let t: TestApp;
let browser: Browser;
beforeEach(async () => {
  t = await createTestApp();
  browser = await reader(t);
});
afterEach(() => t.cleanup());

/** Ledger ids in posting order. */
const entryIds = async (where = '1 = 1', ...params: string[]): Promise<string[]> =>
  (await t.rows<{ id: string }>(`SELECT id FROM ledger_entries WHERE ${where} ORDER BY seq`, params)).map((entry) => entry.id);

async function buildHistory() {
  t.time.set('2026-11-20T09:00:00.000Z');
  const ada = await buildCustomer(t.ctx, { balance: 1000 });
  const bob = await buildCustomer(t.ctx, { balance: 50 });
  const chat = await buildChat(t.ctx, ada.id);
  const otherChat = await buildChat(t.ctx, ada.id);
  t.time.set('2026-11-20T10:00:00.000Z');
  const image = await buildRun(t.ctx, chat, ada.id, { charge: 40 });
  t.time.set('2026-11-20T11:00:00.000Z');
  const video = await buildRun(t.ctx, chat, ada.id, { status: 'failed', tool: 'video', charge: 200, autoRefund: true });
  t.time.set('2026-11-20T12:00:00.000Z');
  const elsewhere = await buildRun(t.ctx, otherChat, ada.id, { tool: 'animation', charge: 60 });
  const ops = creditOps(t.ctx, (await buildStaff(t.ctx, { role: 'lead' })).id);
  t.time.set('2026-11-20T13:00:00.000Z');
  const credit = await ops.create(ada.id, [{ generation_id: image.id, tokens: 40 }], 'applied');
  t.time.set('2026-11-20T14:00:00.000Z');
  await ops.voidCredit(credit);
  // The clock moved by hours: sign in again at its new time.
  browser = await reader(t);
  return { ada, bob, chat, otherChat, image, video, elsewhere, credit };
}

describe('GET /api/transactions', () => {
  it('answers ledger entries with balance_after and their links', async () => {
    const { ada, chat, video, credit } = await buildHistory();
    const rows = (await getList<TransactionRecord>(browser, 'transactions', { filter: { customer_id: ada.id }, sort: ['created_at', 'ASC'] })).rows;
    for (const row of rows) transactionRecordSchema.strict().parse(row);
    expect(rows.map((r) => [r.kind, r.amount, r.balance_after])).toEqual([
      ['purchase', 1000, 1000], ['charge', -40, 960], ['charge', -200, 760], ['auto_refund', 200, 960],
      ['charge', -60, 900], ['manual_credit', 40, 940], ['credit_void', -40, 900],
    ]);
    expect(rows[3]).toMatchObject({ generation_id: video.id, chat_id: chat.id, tool: 'video', reverses_id: video.chargeId, credit_id: null });
    expect(rows[5]).toMatchObject({ credit_id: credit, reverses_id: null, generation_id: null });
    expect(rows[6]).toMatchObject({ credit_id: credit, reverses_id: rows[5].id });

    const one = await browser.get(`/api/transactions/${video.refundId}`);
    expect(one.body).toEqual({
      id: video.refundId, customer_id: ada.id, kind: 'auto_refund', amount: 200, balance_after: 960,
      created_at: '2026-11-20T11:00:00.000Z', recorded_at: '2026-11-20T11:00:00.000Z',
      generation_id: video.id, chat_id: chat.id, tool: 'video', reverses_id: video.chargeId, credit_id: null,
    });
  });

  it('filters by customer_id, chat_id, generation_id, kind, tool and created_at', async () => {
    const { ada, bob, chat, otherChat, video, elsewhere } = await buildHistory();
    const ids = (filter: Record<string, unknown>) => listIds(browser, 'transactions', { filter, sort: ['created_at', 'ASC'] });
    expect(await ids({ customer_id: bob.id })).toEqual(await entryIds('customer_id = ?', bob.id));
    expect(await ids({ chat_id: chat.id })).toEqual(await entryIds('chat_id = ?', chat.id));
    expect(await ids({ chat_id: otherChat.id })).toEqual([elsewhere.chargeId]);
    expect(await ids({ generation_id: video.id })).toEqual([video.chargeId, video.refundId]);
    expect(await ids({ kind: 'auto_refund' })).toEqual([video.refundId]);
    expect(await ids({ kind: 'charge', customer_id: ada.id })).toEqual(await entryIds("kind = 'charge'"));
    expect(await ids({ kind: 'purchase' })).toEqual(await entryIds("kind = 'purchase'"));
    expect(await ids({ tool: 'video' })).toEqual([video.chargeId, video.refundId]);
    expect(await ids({ customer_id: ada.id, created_at_gte: '2026-11-20T11:00:00Z', created_at_lte: '2026-11-20T12:00:00Z' })).toEqual([
      video.chargeId, video.refundId, elsewhere.chargeId,
    ]);
    expect(await ids({ chat_id: chat.id, created_at_gte: '2026-11-20T10:30:00Z' })).toEqual([video.chargeId, video.refundId]);
    const bad = await getList(browser, 'transactions', { filter: { kind: 'gift' } });
    expect(bad.res.body.errors).toEqual({ 'filter.kind': expect.stringContaining('purchase') });
  });

  it('sorts by created_at both ways with posting order breaking ties; other fields only when narrowed', async () => {
    const { ada } = await buildHistory();
    // The charge and the auto-refund of the video share 11:00; the purchases share 09:00.
    const posted = await entryIds();
    expect(await listIds(browser, 'transactions', { sort: ['created_at', 'ASC'] })).toEqual(posted);
    expect(await listIds(browser, 'transactions', { sort: ['created_at', 'DESC'] })).toEqual([...posted].reverse());
    const page = await getList(browser, 'transactions', { sort: ['created_at', 'DESC'], range: [2, 4] });
    expect(page.rows.map((r) => r.id)).toEqual([...posted].reverse().slice(2, 5));
    expect(page.contentRange).toBe(`transactions 2-4/${posted.length}`);
    const byAmount = await listIds(browser, 'transactions', { filter: { customer_id: ada.id }, sort: ['amount', 'ASC'] });
    expect(byAmount[0]).toBe((await entryIds("kind = 'charge' AND amount = -200"))[0]);
    const unbounded = await getList(browser, 'transactions', { sort: ['amount', 'ASC'] });
    expect(unbounded.res.body.errors).toEqual({ sort: 'sorting transactions by amount needs a generation_id, chat_id or customer_id filter' });
  });
});

describe('totals of the big lists', () => {
  const ENTRIES = TOTAL_CAP + 50;

  /** More entries than the cap, through the real ledger, in one transaction. */
  async function buildLongHistory() {
    const customer = await buildCustomer(t.ctx);
    const start = t.ctx.clock().getTime() - ENTRIES * 1000;
    await t.ctx.storage.transaction(async (tx) => {
      for (let i = 0; i < ENTRIES; i++) {
        await t.ctx.ledger.append(tx, { customerId: customer.id, kind: i % 2 ? 'purchase' : 'plan_grant', amount: 1, createdAt: new Date(start + i * 1000).toISOString() });
      }
    });
    return customer;
  }

  it(`counts at most ${TOTAL_CAP} without a narrowing filter, says so, and refuses pages beyond them`, async () => {
    const customer = await buildLongHistory();
    const first = await getList(browser, 'transactions', { range: [0, 49], sort: ['created_at', 'DESC'] });
    expect(first.rows).toHaveLength(50);
    expect(first.contentRange).toBe(`transactions 0-49/${TOTAL_CAP}`);
    // More rows match than the total says: the answer must not pass for an exact count.
    expect(first.res.headers['x-total-capped']).toBe('true');
    const byKind = await getList(browser, 'transactions', { filter: { kind: 'purchase' }, range: [0, 9] });
    expect(byKind.contentRange).toBe(`transactions 0-9/${ENTRIES / 2}`);
    expect(byKind.res.headers).not.toHaveProperty('x-total-capped');
    expect((await getList(browser, 'transactions', { filter: { kind: 'plan_grant', created_at_gte: '2000-01-01' }, range: [0, 9] })).contentRange).toBe(
      `transactions 0-9/${ENTRIES / 2}`,
    );

    // The last page below the cap is cut at the cap.
    const edge = await getList(browser, 'transactions', { range: [TOTAL_CAP - 10, TOTAL_CAP + 39], sort: ['created_at', 'DESC'] });
    expect(edge.rows).toHaveLength(10);
    expect(edge.contentRange).toBe(`transactions ${TOTAL_CAP - 10}-${TOTAL_CAP - 1}/${TOTAL_CAP}`);
    expect(edge.res.headers['x-total-capped']).toBe('true');

    const beyond = await getList(browser, 'transactions', { range: [TOTAL_CAP, TOTAL_CAP + 49] });
    expect(beyond.status).toBe(400);
    expect(beyond.res.body).toEqual({
      code: 'validation_failed',
      message: `This list shows its first ${TOTAL_CAP} rows only: add a generation_id, chat_id or customer_id filter to see further.`,
      errors: { range: `must start below ${TOTAL_CAP} without a generation_id, chat_id or customer_id filter` },
    });

    // Narrowed to the customer: the exact total, and every page.
    const narrowed = await getList<TransactionRecord>(browser, 'transactions', {
      filter: { customer_id: customer.id }, range: [TOTAL_CAP, TOTAL_CAP + 99], sort: ['created_at', 'ASC'],
    });
    expect(narrowed.status).toBe(200);
    expect(narrowed.contentRange).toBe(`transactions ${TOTAL_CAP}-${ENTRIES - 1}/${ENTRIES}`);
    expect(narrowed.rows.at(-1)?.balance_after).toBe(ENTRIES);
    expect(narrowed.res.headers).not.toHaveProperty('x-total-capped');
    expect((await getList(browser, 'transactions', { filter: { customer_id: customer.id }, range: [0, 0] })).contentRange).toBe(
      `transactions 0-0/${ENTRIES}`,
    );
  });

  it(`reports exactly ${TOTAL_CAP} matching rows as an exact total`, async () => {
    await buildLongHistory();
    // The newest TOTAL_CAP entries: one row fewer and the count would stop short, one more and it is capped.
    const oldestKept = await t.value<string>('SELECT created_at FROM ledger_entries ORDER BY created_at DESC LIMIT 1 OFFSET ?', [TOTAL_CAP - 1]);
    const exactly = await getList(browser, 'transactions', { filter: { created_at_gte: oldestKept }, range: [0, 9] });
    expect(exactly.contentRange).toBe(`transactions 0-9/${TOTAL_CAP}`);
    expect(exactly.res.headers).not.toHaveProperty('x-total-capped');
  });

  it('applies the cap to the big tables without a narrowing filter', async () => {
    const customer = await buildLongHistory();
    const chat = await buildChat(t.ctx, customer.id);
    await buildRun(t.ctx, chat, customer.id);
    const lead = await reader(t, 'lead');
    for (const resource of ['chats', 'generations', 'assets', 'audit']) {
      const beyond = await getList(lead, resource, { range: [TOTAL_CAP, TOTAL_CAP + 9] });
      expect(beyond.status, resource).toBe(400);
      expect(beyond.res.body.errors).toEqual({ range: expect.stringMatching(`must start below ${TOTAL_CAP}`) });
    }
    const deep = await getList(browser, 'generations', { filter: { customer_id: customer.id }, range: [TOTAL_CAP, TOTAL_CAP + 9] });
    expect(deep.status).toBe(200);
    expect(deep.contentRange).toBe('generations */1');
  });
});
