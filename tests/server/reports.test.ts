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

const report = (path: string) => w.as.lead.agent.get(path);

async function someCredits() {
  const video = await buildRun(t.ctx, w.chat, w.customer.id, { charge: 300, tool: 'video' });
  const a = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }, { generation_id: video.id, tokens: 300 }]));
  const b = await postCredit(w.as.lead, creditBody(w.customer.id, [{ generation_id: w.runs.missing.id, tokens: 60 }], { reason: 'missed_auto_refund' }));
  const voided = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.second.id, tokens: 80 }], { reason: 'off_prompt' }));
  await act(w.as.lead, `/api/credits/${voided.body.id}/void`, { reason: 'mistake' }).expect(200);
  await postCredit(w.as.agent, creditBody(w.customer.id, [], { reason: 'goodwill', amount: 10 })).expect(202);
  expect([a.status, b.status]).toEqual([201, 201]);
}

describe('GET /api/reports/credits', () => {
  it('sums applied credits (net of voids, without pending ones) by agent, reason, tool and day, matching the raw rows', async () => {
    await someCredits();
    const byAgent = await report('/api/reports/credits?group_by=agent');
    expect(byAgent.status).toBe(200);
    expect(byAgent.body.rows).toEqual([
      { key: w.people.agent.id, label: 'Ada Agent', count: 1, tokens: 420 },
      { key: w.people.lead.id, label: 'Lee Lead', count: 1, tokens: 60 },
    ]);
    expect((await report('/api/reports/credits?group_by=reason')).body.rows).toEqual([
      { key: 'visual_artifacts', label: 'visual_artifacts', count: 1, tokens: 420 },
      { key: 'missed_auto_refund', label: 'missed_auto_refund', count: 1, tokens: 60 },
    ]);
    expect((await report('/api/reports/credits?group_by=tool')).body.rows).toEqual([
      { key: 'video', label: 'video', count: 1, tokens: 300 },
      { key: 'image', label: 'image', count: 2, tokens: 180 },
    ]);
    const byDay = await report('/api/reports/credits');
    expect(byDay.body).toMatchObject({ group_by: 'day', rows: [{ key: '2026-11-20', count: 2, tokens: 480 }] });
    const raw = await t.row("SELECT COUNT(*) AS count, SUM(amount) AS tokens FROM credits WHERE status = 'applied'");
    expect(raw).toEqual({ count: 2, tokens: 480 });
  });

  it('takes a period and refuses bad parameters', async () => {
    await someCredits();
    expect((await report('/api/reports/credits?from=2026-11-21&to=2026-11-30')).body.rows).toEqual([]);
    expect((await report('/api/reports/credits?from=2026-11-20&to=2026-11-20')).body.rows).toHaveLength(1);
    expect((await report('/api/reports/credits?group_by=mood')).body.errors).toHaveProperty('group_by');
    expect((await report('/api/reports/credits?from=yesterday')).body.errors).toHaveProperty('from');
    expect((await report('/api/reports/credits?from=2026-11-22&to=2026-11-21')).body.errors).toHaveProperty('from');
    expect((await report('/api/reports/credits?color=red')).status).toBe(400);
    expect((await w.as.agent.agent.get('/api/reports/credits')).status).toBe(403);
  });
});

describe('GET /api/reports/refunds', () => {
  it('counts failed runs per tool with auto-refunded, pending and missing refunds and the auto-refund rate', async () => {
    await buildRun(t.ctx, w.chat, w.customer.id, { status: 'failed', charge: 10, tool: 'video', autoRefund: true });
    await buildRun(t.ctx, w.chat, w.customer.id, { status: 'failed', charge: 10, tool: 'video' });
    await buildRun(t.ctx, w.chat, w.customer.id, { status: 'failed', tool: 'video' });
    const res = await report('/api/reports/refunds?from=2026-11-01');
    expect(res.status).toBe(200);
    expect(res.body.rows).toEqual([
      { tool: 'video', failed: 3, not_charged: 1, auto_refunded: 1, refund_pending: 1, refund_missing: 0, auto_refund_rate: 0.5 },
      { tool: 'image', failed: 2, not_charged: 0, auto_refunded: 1, refund_pending: 0, refund_missing: 1, auto_refund_rate: 0.5 },
    ]);
    expect((await w.as.agent.agent.get('/api/reports/refunds')).status).toBe(403);
  });
});

describe('GET /api/reports/decisions', () => {
  it('lists the caller\'s own credits that someone else approved, rejected or voided since a time, the latest first', async () => {
    const decisions = (who: typeof w.as.agent, since: string) => who.agent.get(`/api/reports/decisions?${new URLSearchParams({ since })}`);
    const big = await buildRun(t.ctx, w.chat, w.customer.id, { charge: 900 });
    const approved = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: big.id, tokens: 900 }])).expect(202);
    const rejected = await postCredit(w.as.agent, creditBody(w.customer.id, [], { reason: 'goodwill', amount: 10 })).expect(202);
    const voided = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }])).expect(201);
    const untouched = await postCredit(w.as.agent, creditBody(w.customer.id, [], { reason: 'goodwill', amount: 20 })).expect(202);
    const leadsOwn = await postCredit(w.as.lead, creditBody(w.customer.id, [], { reason: 'goodwill', amount: 30 })).expect(202);
    const lookedAt = t.ctx.clock().toISOString();

    t.time.advance(60_000);
    await act(w.as.lead, `/api/credits/${approved.body.id}/approve`).expect(200);
    t.time.advance(60_000);
    await act(w.as.lead, `/api/credits/${rejected.body.id}/reject`, { reason: 'Not a fault of ours' }).expect(200);
    t.time.advance(60_000);
    await act(w.as.lead2, `/api/credits/${voided.body.id}/void`, { reason: 'Wrong run' }).expect(200);
    // A lead withdrawing their own request decided nothing they need telling about.
    await act(w.as.lead, `/api/credits/${leadsOwn.body.id}/reject`, { reason: 'Withdrawn' }).expect(200);

    const res = await decisions(w.as.agent, lookedAt);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ since: lookedAt, as_of: t.ctx.clock().toISOString() });
    expect(res.body.rows.map((credit: { id: string; status: string }) => [credit.id, credit.status])).toEqual([
      [voided.body.id, 'voided'],
      [rejected.body.id, 'rejected'],
      [approved.body.id, 'applied'],
    ]);
    expect(res.body.rows[1]).toMatchObject({ decided_by_name: 'Lee Lead', decision_reason: 'Not a fault of ours' });
    expect(res.body.rows.map((credit: { id: string }) => credit.id)).not.toContain(untouched.body.id);

    // Only what came after `since`; only the caller's own; and every role may ask.
    t.time.advance(1_000);
    expect((await decisions(w.as.agent, t.ctx.clock().toISOString())).body.rows).toEqual([]);
    expect((await decisions(w.as.lead, lookedAt)).body.rows).toEqual([]);
    expect((await decisions(w.as.lead2, lookedAt)).body.rows).toEqual([]);
  });

  it('needs a valid since, and nothing else', async () => {
    expect((await w.as.agent.agent.get('/api/reports/decisions')).body.errors).toHaveProperty('since');
    expect((await w.as.agent.agent.get('/api/reports/decisions?since=yesterday')).body.errors).toHaveProperty('since');
    expect((await w.as.agent.agent.get('/api/reports/decisions?since=2026-11-20&mine=no')).status).toBe(400);
  });
});
