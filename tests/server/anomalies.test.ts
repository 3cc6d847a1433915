import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildRun } from './support/builders.ts';
import { act, creditBody, creditWorld, postCredit } from './support/credits.ts';
import { postEvents } from './support/ingest.ts';
import { createTestApp, signIn, type TestApp } from './support/testApp.ts';

let t: TestApp;
let w: Awaited<ReturnType<typeof creditWorld>>;
beforeEach(async () => {
  t = await createTestApp();
  w = await creditWorld(t.app, t.ctx);
});
afterEach(() => t.cleanup());

const run = (tokens: number) => buildRun(t.ctx, w.chat, w.customer.id, { charge: tokens });
const rules = (credit: { anomalies: { rule: string }[] }): string[] => credit.anomalies.map((a) => a.rule);

describe('anomaly flags', () => {
  it('flags nothing on an ordinary credit', async () => {
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    expect(res.body.anomalies).toEqual([]);
  });

  it('flags a credit just under the approval threshold', async () => {
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: (await run(480)).id, tokens: 480 }]));
    expect(res.body.anomalies).toEqual([{ rule: 'near_threshold', message: '480 tokens is just under the approval threshold of 500.' }]);
    const lead = await postCredit(w.as.lead, creditBody(w.customer.id, [{ generation_id: (await run(480)).id, tokens: 480 }]));
    expect(rules(lead.body)).not.toContain('near_threshold');
  });

  it('flags the third credit to one customer within 30 days', async () => {
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: (await run(10)).id, tokens: 10 }])));
    expect(rules(answers[1].body)).toEqual([]);
    expect(answers[2].body.anomalies).toEqual([{ rule: 'repeat_customer', message: 'Maya Chen already had 2 credits in the 30 days before this one.' }]);
    t.time.advance(31 * 86_400_000);
    const later = await postCredit(await signIn(t.app, w.people.agent.email), creditBody(w.customer.id, [{ generation_id: (await run(10)).id, tokens: 10 }]));
    expect(rules(later.body)).toEqual([]);
  });

  it('flags an agent far above their usual daily volume', async () => {
    for (let day = 0; day < 5; day++) {
      await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: (await run(100)).id, tokens: 100 }]));
      t.time.advance(86_400_000);
      w.as.agent = await signIn(t.app, w.people.agent.email);
    }
    const big = [];
    for (let i = 0; i < 3; i++) big.push(await postCredit(w.as.agent, creditBody(`${w.customer.id}`, [{ generation_id: (await run(400)).id, tokens: 400 }])));
    const last = big[2].body;
    expect(rules(last)).toContain('agent_volume');
    expect(last.anomalies.find((a: { rule: string }) => a.rule === 'agent_volume').message).toMatch(/total 1,200 tokens, 72.0× their daily average of 17/);
  });

  it('flags a credit for a run refunded another way, and lists flagged credits for the dashboard', async () => {
    await postEvents(t.app, [
      { id: 'c', type: 'customer.upserted', occurred_at: '2026-11-20T09:00:00Z', data: { id: 'c-x', name: 'Xu', email: 'x@x.io', plan: 'pro' } },
      { id: 'h', type: 'chat.created', occurred_at: '2026-11-20T09:00:00Z', data: { id: 'h-x', customer_id: 'c-x', created_at: '2026-11-20T09:00:00Z' } },
      { id: 'g', type: 'generation.started', occurred_at: '2026-11-20T09:00:00Z', data: { id: 'g-x', chat_id: 'h-x', customer_id: 'c-x', tool: 'video', started_at: '2026-11-20T09:00:00Z' } },
      { id: 'k', type: 'tokens.charged', occurred_at: '2026-11-20T09:00:00Z', data: { transaction_id: 't-k', customer_id: 'c-x', generation_id: 'g-x', amount: 90, created_at: '2026-11-20T09:00:00Z' } },
      { id: 'f', type: 'generation.failed', occurred_at: '2026-11-20T09:01:00Z', data: { id: 'g-x', finished_at: '2026-11-20T09:01:00Z', error_code: 'x' } },
    ]).expect(200);
    const credit = await postCredit(w.as.agent, creditBody('c-x', [{ generation_id: 'g-x', tokens: 90 }], { reason: 'missed_auto_refund' }));
    expect(credit.status).toBe(201);
    await postEvents(t.app, [{ id: 'r', type: 'tokens.refunded', occurred_at: '2026-11-20T12:00:00Z', data: { transaction_id: 't-r', customer_id: 'c-x', charge_transaction_id: 't-k', amount: 90, created_at: '2026-11-20T12:00:00Z' } }]).expect(200);
    const record = await w.as.lead.agent.get(`/api/credits/${credit.body.id}`);
    expect(record.body).toMatchObject({ status: 'voided', anomalies: [{ rule: 'refunded_elsewhere', message: 'Run g-x was also refunded automatically (t-r).' }] });

    const dashboard = await w.as.lead.agent.get('/api/reports/anomalies?from=2026-11-01');
    expect(dashboard.status).toBe(200);
    expect(dashboard.body.rows.map((c: { id: string }) => c.id)).toEqual([credit.body.id]);
    expect((await w.as.agent.agent.get('/api/reports/anomalies')).status).toBe(403);
    await act(w.as.lead, '/api/credits/x/void', { reason: 'n' }).expect(404);
  });
});
