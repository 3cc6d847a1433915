import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { creditRepository, type CreditRow } from '../../../db/repositories/creditRepository.ts';
import { customerRepository } from '../../../db/repositories/customerRepository.ts';
import { TOTAL_CAP } from '../../../shared/listQuery.ts';
import { buildCustomer } from '../support/builders.ts';
import { buildStaff, createTestApp, type TestApp } from '../support/testApp.ts';
import { getList, reader, type Browser } from './listClient.ts';

/**
 * docs/api.md, Totals: credits, customers and staff always count to the last row and page
 * anywhere; only the big tables stop counting at TOTAL_CAP (transactions.test.ts), and say so.
 */
let t: TestApp;
let lead: Browser;
beforeEach(async () => {
  t = await createTestApp();
  lead = await reader(t, 'lead');
});
afterEach(() => t.cleanup());

const OVER_CAP = TOTAL_CAP + 40;
const total = (contentRange: string | undefined): number => Number(contentRange?.split('/')[1]);

/** A busy month of grants: more than the cap, every tenth one rejected, a minute apart, in one transaction. */
async function buildBusyMonth(): Promise<{ staffId: string }> {
  const staff = await buildStaff(t.ctx, { role: 'agent' });
  const customer = await buildCustomer(t.ctx);
  const start = Date.parse('2026-10-01T00:00:00.000Z');
  await t.ctx.storage.transaction(async (tx) => {
    for (let i = 0; i < OVER_CAP; i++) {
      const id = `crd_busy_${String(i).padStart(5, '0')}`;
      const row: CreditRow = {
        id, customer_id: customer.id, amount: 10, reason: 'goodwill', ticket_ref: `T-${i}`, expected: 'e', received: 'r', note: null,
        customer_asset_urls: '[]', evidence: '{}', requested_by: staff.id, status: i % 10 === 0 ? 'rejected' : 'pending_approval',
        decided_by: null, decided_at: null, decision_reason: null, voided_by: null, voided_at: null, void_reason: null,
        transaction_id: null, void_transaction_id: null, idempotency_key: id, created_at: new Date(start + i * 60_000).toISOString(),
      };
      await creditRepository.insert(tx, row, []);
    }
  });
  return { staffId: staff.id };
}

describe('exact totals', () => {
  it('counts every credit of a busy month, pages to its end, and its export holds as many rows', async () => {
    await buildBusyMonth();
    const month = { created_at_gte: '2026-10-01', created_at_lte: '2026-10-31' };
    const first = await getList(lead, 'credits', { filter: month, range: [0, 24], sort: ['created_at', 'DESC'] });
    expect(first.status).toBe(200);
    expect(first.contentRange).toBe(`credits 0-24/${OVER_CAP}`);
    expect(first.res.headers).not.toHaveProperty('x-total-capped');

    // Unfiltered, by status, and the page past the cap that capped lists refuse.
    expect(total((await getList(lead, 'credits', { range: [0, 0] })).contentRange)).toBe(OVER_CAP);
    expect(total((await getList(lead, 'credits', { filter: { status: 'pending_approval' }, range: [0, 0] })).contentRange)).toBe(OVER_CAP - OVER_CAP / 10);
    const last = await getList<{ id: string }>(lead, 'credits', { filter: month, range: [OVER_CAP - 25, OVER_CAP + 24], sort: ['created_at', 'DESC'] });
    expect(last.status).toBe(200);
    expect(last.contentRange).toBe(`credits ${OVER_CAP - 25}-${OVER_CAP - 1}/${OVER_CAP}`);
    expect(last.rows.at(-1)?.id).toBe('crd_busy_00000');

    const csv = await lead.get(`/api/credits/export.csv?${new URLSearchParams({ filter: JSON.stringify(month) })}`);
    expect(csv.status).toBe(200);
    expect(parse(csv.text, { columns: true, skip_empty_lines: true })).toHaveLength(OVER_CAP);
    expect(await t.value('SELECT COUNT(*) FROM credits')).toBe(OVER_CAP);
  });

  it('counts every customer and pages past the cap', async () => {
    await t.ctx.storage.transaction(async (tx) => {
      for (let i = 0; i < OVER_CAP; i++) {
        const id = `cus_many_${String(i).padStart(5, '0')}`;
        await customerRepository.insert(tx, { id, name: `Customer ${id}`, email: `${id}@example.com`, plan: i % 2 ? 'pro' : 'free', time_zone: null, created_at: '2026-11-01T00:00:00.000Z', source_at: '2026-11-01T00:00:00.000Z' });
      }
    });
    const first = await getList(lead, 'customers', { range: [0, 24], sort: ['id', 'ASC'] });
    expect(first.contentRange).toBe(`customers 0-24/${OVER_CAP}`);
    expect(first.res.headers).not.toHaveProperty('x-total-capped');
    expect(total((await getList(lead, 'customers', { filter: { plan: 'pro' }, range: [0, 0] })).contentRange)).toBe(OVER_CAP / 2);
    const deep = await getList<{ id: string }>(lead, 'customers', { range: [TOTAL_CAP, TOTAL_CAP + 99], sort: ['id', 'ASC'] });
    expect(deep.status).toBe(200);
    expect(deep.contentRange).toBe(`customers ${TOTAL_CAP}-${OVER_CAP - 1}/${OVER_CAP}`);
    expect(deep.rows[0]?.id).toBe(`cus_many_${TOTAL_CAP}`);
  });

  it('counts staff accounts exactly, filtered or not', async () => {
    for (const role of ['agent', 'agent', 'admin'] as const) await buildStaff(t.ctx, { role });
    const all = await getList(lead, 'staff', { range: [0, 1] });
    // The lead reading the list is one of the four accounts.
    expect(all.contentRange).toBe('staff 0-1/4');
    expect(all.res.headers).not.toHaveProperty('x-total-capped');
    expect((await getList(lead, 'staff', { filter: { role: 'agent' }, range: [0, 0] })).contentRange).toBe('staff 0-0/2');
  });
});
