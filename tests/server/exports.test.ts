import { parse } from 'csv-parse/sync';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRun } from './support/builders.ts';
import { act, creditBody, creditWorld, postCredit } from './support/credits.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
let w: Awaited<ReturnType<typeof creditWorld>>;
beforeEach(async () => {
  t = await createTestApp();
  w = await creditWorld(t.app, t.ctx);
});
afterEach(() => t.cleanup());

const q = (filter: object, extra = ''): string => `filter=${encodeURIComponent(JSON.stringify(filter))}${extra}`;
const rowsOf = (text: string): Record<string, string>[] => parse(text, { columns: true, skip_empty_lines: true });
const total = (contentRange: string): number => Number(contentRange.split('/')[1]);

/**
 * Seven credits a second apart (the list is newest first; PostgreSQL breaks a tie of created_at by
 * the random part of the id), the fourth newest voided.
 */
async function variety() {
  for (let i = 0; i < 6; i++) {
    t.time.advance(1_000);
    const r = await buildRun(t.ctx, w.chat, w.customer.id, { charge: 50 });
    await postCredit(i % 2 ? w.as.agent : w.as.lead, creditBody(w.customer.id, [{ generation_id: r.id, tokens: 50 }], { reason: i % 3 ? 'off_prompt' : 'visual_artifacts' })).expect(201);
  }
  t.time.advance(1_000);
  const big = await buildRun(t.ctx, w.chat, w.customer.id, { charge: 900 });
  await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: big.id, tokens: 900 }])).expect(202);
  const credits = await w.as.lead.agent.get('/api/credits');
  await act(w.as.lead2, `/api/credits/${credits.body[3].id}/void`, { reason: 'wrong' }).expect(200);
}

describe('CSV exports', () => {
  it('exports exactly the rows of the filtered credits list, all of them, with a header row', async () => {
    await variety();
    for (const filter of [{}, { status: 'applied' }, { reason: 'off_prompt' }, { requested_by: w.people.agent.id }, { status: 'voided' }, { customer_id: 'nobody' }]) {
      const list = await w.as.lead.agent.get(`/api/credits?${q(filter)}`);
      const csv = await w.as.lead.agent.get(`/api/credits/export.csv?${q(filter, '&sort=["created_at","DESC"]')}`);
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="credits-.*\.csv"$/);
      const rows = rowsOf(csv.text);
      expect(rows).toHaveLength(total(list.headers['content-range']));
      expect(rows.map((r) => r.id)).toEqual(list.body.map((c: { id: string }) => c.id));
    }
    const header = (await w.as.lead.agent.get('/api/credits/export.csv')).text.split('\n')[0];
    expect(header).toMatch(/^id,created_at,status,customer_id,customer_name,amount,reason,ticket_ref,runs,/);
  });

  it('exports the audit log with the list\'s filters, and never caps', async () => {
    await variety();
    await t.ctx.storage.transaction(async (tx) => {
      for (let i = 0; i < 10_050; i++) await t.ctx.audit.append(tx, { actor: { type: 'system' }, action: 'test.bulk', entityType: 'thing', entityId: `t${i}` });
    });
    const capped = await w.as.lead.agent.get(`/api/audit?${q({ action: 'test.bulk' })}`);
    expect(total(capped.headers['content-range'])).toBe(10_000);
    const csv = await w.as.lead.agent.get(`/api/audit/export.csv?${q({ action: 'test.bulk' })}`);
    expect(rowsOf(csv.text)).toHaveLength(10_050);
    const voids = await w.as.lead.agent.get(`/api/audit?${q({ action: 'credit.voided' })}`);
    const voidCsv = rowsOf((await w.as.admin.agent.get(`/api/audit/export.csv?${q({ action: 'credit.voided' })}`)).text);
    expect(voidCsv).toHaveLength(total(voids.headers['content-range']));
    expect(voidCsv[0]).toMatchObject({ action: 'credit.voided', actor_name: 'Lou Lead', reason: 'wrong' });
  }, 60_000);

  it('neutralises cells that a spreadsheet would run as formulas', async () => {
    const r = await buildRun(t.ctx, w.chat, w.customer.id, { charge: 10 });
    await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: r.id, tokens: 10 }], {
      ticket_ref: '=HYPERLINK("https://evil.example","click")', expected: '+1+2', received: '-cmd|calc', note: '@SUM(A1)',
    })).expect(201);
    const rows = rowsOf((await w.as.lead.agent.get('/api/credits/export.csv')).text);
    expect(rows[0]).toMatchObject({ ticket_ref: '\'=HYPERLINK("https://evil.example","click")', expected: "'+1+2", received: "'-cmd|calc", note: "'@SUM(A1)" });
  });

  it('is for leads and admins, and refuses bad filters and a range', async () => {
    expect((await w.as.agent.agent.get('/api/credits/export.csv')).status).toBe(403);
    expect((await w.as.agent.agent.get(`/api/audit/export.csv?${q({ customer_id: w.customer.id })}`)).status).toBe(403);
    const bad = await w.as.lead.agent.get(`/api/credits/export.csv?${q({ colour: 'red' })}`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toHaveProperty('filter.colour');
    expect((await w.as.lead.agent.get('/api/credits/export.csv?range=[0,9]')).body.errors).toHaveProperty('range');
  });
});
