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

const value = (sql: string, ...params: unknown[]): Promise<unknown> => t.value(sql, params);
const balance = async (): Promise<number> => {
  const found = await value('SELECT balance FROM customers WHERE id = ?', w.customer.id);
  if (typeof found !== 'number') throw new Error(`balance is ${String(found)}`);
  return found;
};
const bigRun = (tokens: number) => buildRun(t.ctx, w.chat, w.customer.id, { charge: tokens });

describe('the credit policy', () => {
  it('holds an agent\'s credit above the approval threshold for approval, reserving its tokens', async () => {
    const run = await bigRun(600);
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: run.id, tokens: 600 }]));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'pending_approval', transaction_id: null, balance_after: null, approval_reasons: [expect.stringContaining('approval threshold of 500')] });
    expect(await value('SELECT tokens_reserved FROM generations WHERE id = ?', run.id)).toBe(600);
    expect(await value("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'manual_credit'")).toBe(0);
    const second = await postCredit(w.as.lead, creditBody(w.customer.id, [{ generation_id: run.id, tokens: 1 }], { note: 'x' }));
    expect(second.status).toBe(409);
    expect(second.body.blocked_by).toEqual([expect.objectContaining({ kind: 'pending_credit', id: res.body.id })]);
  });

  it('holds the agent credit that crosses the daily limit, counting applied and pending credits of the UTC day', async () => {
    const runs = [await bigRun(500), await bigRun(500), await bigRun(500), await bigRun(500), await bigRun(100)];
    for (const run of runs.slice(0, 4)) {
      expect((await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: run.id, tokens: 500 }]))).status).toBe(201);
    }
    const crossing = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: runs[4].id, tokens: 100 }]));
    expect(crossing.status).toBe(202);
    expect(crossing.body.approval_reasons).toEqual(['It takes your credits today (UTC) to 2,100 tokens, above the daily limit of 2,000 tokens.']);
    // The next UTC day starts afresh.
    t.time.advance(24 * 3_600_000);
    const tomorrow = await bigRun(100);
    const agentAgain = await signIn(t.app, w.people.agent.email);
    expect((await postCredit(agentAgain, creditBody(w.customer.id, [{ generation_id: tomorrow.id, tokens: 100 }]))).status).toBe(201);
  });

  it('applies a lead\'s own credit up to the lead threshold, and holds it above for another lead', async () => {
    const small = await bigRun(3000);
    expect((await postCredit(w.as.lead, creditBody(w.customer.id, [{ generation_id: small.id, tokens: 3000 }]))).status).toBe(201);
    const big = await bigRun(6000);
    const res = await postCredit(w.as.admin, creditBody(w.customer.id, [{ generation_id: big.id, tokens: 6000 }]));
    expect(res.status).toBe(202);
    expect(res.body.approval_reasons[0]).toBe('6,000 tokens is above the limit of 5,000 tokens for a lead’s or admin’s own credits.');
  });

  it('holds goodwill for approval whoever asks, unless the policy says otherwise', async () => {
    const goodwill = creditBody(w.customer.id, [], { reason: 'goodwill', amount: 25 });
    expect((await postCredit(w.as.admin, goodwill)).status).toBe(202);
    await act(w.as.admin, '/api/policy', {}).expect(404);
    const put = await w.as.admin.agent.put('/api/policy').set('X-CSRF-Token', w.as.admin.csrf).send({
      approval_threshold: 500, agent_daily_limit: 2000, lead_approval_threshold: 5000, goodwill_requires_approval: false, refund_grace_minutes: 15,
    });
    expect(put.status).toBe(200);
    expect((await postCredit(w.as.agent, goodwill)).status).toBe(201);
  });
});

describe('approve, reject, void', () => {
  async function pending(tokens = 600) {
    const run = await bigRun(tokens);
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: run.id, tokens }]));
    expect(res.status).toBe(202);
    return { run, credit: res.body as { id: string } };
  }

  it('lets a lead approve: the grant applies, the entry is written, the reservation becomes a credit, audited', async () => {
    const { run, credit } = await pending();
    const before = await balance();
    const res = await act(w.as.lead, `/api/credits/${credit.id}/approve`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'applied', decided_by: w.people.lead.id, decided_by_name: 'Lee Lead', transaction_id: expect.any(String), balance_after: before + 600 });
    expect(await balance()).toBe(before + 600);
    expect(await t.row('SELECT tokens_reserved, tokens_credited FROM generations WHERE id = ?', [run.id])).toEqual({ tokens_reserved: 0, tokens_credited: 600 });
    expect(await value("SELECT COUNT(*) FROM audit_events WHERE action = 'credit.approved' AND actor_id = ? AND entity_id = ?", w.people.lead.id, credit.id)).toBe(1);
    expect((await act(w.as.lead2, `/api/credits/${credit.id}/approve`)).body.code).toBe('not_pending');
  });

  it('refuses self-approval, for leads and admins too, and approval by an agent', async () => {
    const { credit } = await pending();
    expect((await act(w.as.agent, `/api/credits/${credit.id}/approve`)).status).toBe(403);
    for (const who of [w.as.lead, w.as.admin]) {
      const run = await bigRun(6000);
      const own = await postCredit(who, creditBody(w.customer.id, [{ generation_id: run.id, tokens: 6000 }]));
      expect(own.status).toBe(202);
      const res = await act(who, `/api/credits/${own.body.id}/approve`);
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('self_approval');
      expect(await value('SELECT status FROM credits WHERE id = ?', own.body.id)).toBe('pending_approval');
    }
  });

  it('lets a lead reject with a reason (their own too, as a withdrawal), releasing the tokens; agents may not', async () => {
    const { run, credit } = await pending();
    expect((await act(w.as.agent, `/api/credits/${credit.id}/reject`, { reason: 'no' })).status).toBe(403);
    expect((await act(w.as.lead, `/api/credits/${credit.id}/reject`, {})).body.errors).toHaveProperty('reason');
    const res = await act(w.as.lead, `/api/credits/${credit.id}/reject`, { reason: 'Output matches the prompt' });
    expect(res.body).toMatchObject({ status: 'rejected', decision_reason: 'Output matches the prompt', decided_by_name: 'Lee Lead' });
    expect(await value('SELECT tokens_reserved FROM generations WHERE id = ?', run.id)).toBe(0);
    const ownRun = await bigRun(6000);
    const own = await postCredit(w.as.lead, creditBody(w.customer.id, [{ generation_id: ownRun.id, tokens: 6000 }]));
    expect((await act(w.as.lead, `/api/credits/${own.body.id}/reject`, { reason: 'withdrawn' })).body.status).toBe('rejected');
  });

  it('lets a lead void an applied credit once, with a credit_void entry; agents may not', async () => {
    const applied = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    const before = await balance();
    expect((await act(w.as.agent, `/api/credits/${applied.body.id}/void`, { reason: 'x' })).status).toBe(403);
    const res = await act(w.as.lead, `/api/credits/${applied.body.id}/void`, { reason: 'Granted on the wrong account' });
    expect(res.body).toMatchObject({ status: 'voided', voided_by_name: 'Lee Lead', void_reason: 'Granted on the wrong account', void_transaction_id: expect.any(String) });
    expect(await balance()).toBe(before - 120);
    expect(await t.row('SELECT kind, amount, reverses_id FROM ledger_entries WHERE id = ?', [res.body.void_transaction_id])).toEqual({ kind: 'credit_void', amount: -120, reverses_id: applied.body.transaction_id });
    const again = await act(w.as.lead2, `/api/credits/${applied.body.id}/void`, { reason: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('not_applied');
    expect(await value("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'credit_void'")).toBe(1);
    // The run can be credited again after the void.
    expect((await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]))).status).toBe(201);
  });

  it('re-checks eligibility at approval: a late auto-refund rejected the pending missed_auto_refund credit', async () => {
    const response = await postEvents(t.app, [
      { id: 'cus', type: 'customer.upserted', occurred_at: '2026-11-20T09:00:00Z', data: { id: 'c-late', name: 'Late', email: 'l@x.io', plan: 'pro' } },
      { id: 'chat', type: 'chat.created', occurred_at: '2026-11-20T09:00:00Z', data: { id: 'chat-late', customer_id: 'c-late', created_at: '2026-11-20T09:00:00Z' } },
      { id: 'run', type: 'generation.started', occurred_at: '2026-11-20T09:00:00Z', data: { id: 'g-late', chat_id: 'chat-late', customer_id: 'c-late', tool: 'video', started_at: '2026-11-20T09:00:00Z' } },
      { id: 'chg', type: 'tokens.charged', occurred_at: '2026-11-20T09:00:00Z', data: { transaction_id: 't-chg', customer_id: 'c-late', generation_id: 'g-late', amount: 900, created_at: '2026-11-20T09:00:00Z' } },
      { id: 'fail', type: 'generation.failed', occurred_at: '2026-11-20T09:01:00Z', data: { id: 'g-late', finished_at: '2026-11-20T09:01:00Z', error_code: 'gpu_timeout' } },
    ]);
    expect(response.body.accepted).toBe(5);
    const credit = await postCredit(w.as.agent, creditBody('c-late', [{ generation_id: 'g-late', tokens: 900 }], { reason: 'missed_auto_refund' }));
    expect(credit.status).toBe(202);
    await postEvents(t.app, [{ id: 'ref', type: 'tokens.refunded', occurred_at: '2026-11-20T12:00:00Z', data: { transaction_id: 't-ref', customer_id: 'c-late', charge_transaction_id: 't-chg', amount: 900, created_at: '2026-11-20T12:00:00Z' } }]).expect(200);
    const res = await act(w.as.lead, `/api/credits/${credit.body.id}/approve`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('not_pending');
    const record = await w.as.lead.agent.get(`/api/credits/${credit.body.id}`);
    expect(record.body).toMatchObject({ status: 'rejected', decided_by: null, decided_by_name: 'System', decision_reason: expect.stringContaining('t-ref') });
    expect(await value('SELECT balance FROM customers WHERE id = ?', 'c-late')).toBe(0);
  });

  it('answers 404 for an unknown credit', async () => {
    expect((await act(w.as.lead, '/api/credits/crd_nope/approve')).status).toBe(404);
    expect((await w.as.agent.agent.get('/api/credits/crd_nope')).status).toBe(404);
  });
});

describe('GET/PUT /api/policy', () => {
  const policy = { approval_threshold: 300, agent_daily_limit: 1000, lead_approval_threshold: 4000, goodwill_requires_approval: true, refund_grace_minutes: 20 };

  it('is read by any staff and written by admins only, audited with before and after', async () => {
    expect((await w.as.agent.agent.get('/api/policy')).body).toEqual({ approval_threshold: 500, agent_daily_limit: 2000, lead_approval_threshold: 5000, goodwill_requires_approval: true, refund_grace_minutes: 15 });
    expect((await w.as.lead.agent.put('/api/policy').set('X-CSRF-Token', w.as.lead.csrf).send(policy)).status).toBe(403);
    const res = await w.as.admin.agent.put('/api/policy').set('X-CSRF-Token', w.as.admin.csrf).send(policy);
    expect(res.status).toBe(200);
    expect((await w.as.agent.agent.get('/api/policy')).body).toEqual(policy);
    const audit = await t.row<{ before_json: string; after_json: string; actor_id: string }>("SELECT before_json, after_json, actor_id FROM audit_events WHERE action = 'policy.updated'");
    if (!audit) throw new Error('policy.updated was not audited');
    expect(JSON.parse(audit.before_json).approval_threshold).toBe(500);
    expect(JSON.parse(audit.after_json).approval_threshold).toBe(300);
    expect(audit.actor_id).toBe(w.people.admin.id);
  });

  it('refuses bad values naming the field, and changes nothing', async () => {
    const res = await w.as.admin.agent.put('/api/policy').set('X-CSRF-Token', w.as.admin.csrf).send({ ...policy, approval_threshold: -1, surprise: 1 });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(['approval_threshold', 'body']);
    expect(await value('SELECT approval_threshold FROM credit_policy')).toBe(500);
  });
});
