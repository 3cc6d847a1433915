import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyLedger } from '../../server/ledger/ledgerCheck.ts';
import { creditBody, creditWorld, freshKey, postCredit } from './support/credits.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
let w: Awaited<ReturnType<typeof creditWorld>>;
beforeEach(async () => {
  t = await createTestApp();
  w = await creditWorld(t.app, t.ctx);
});
afterEach(() => t.cleanup());

const one = <T>(sql: string, ...params: unknown[]): Promise<T | undefined> => t.row<T>(sql, params);
const value = (sql: string, ...params: unknown[]): Promise<unknown> => t.value(sql, params);
const balance = (): Promise<unknown> => value('SELECT balance FROM customers WHERE id = ?', w.customer.id);

describe('GET /api/credits/eligibility', () => {
  it('states each run\'s refund state, what is left, what blocks it, and the suggested total', async () => {
    const { succeeded, refunded, missing } = w.runs;
    const res = await w.as.agent.agent.get(`/api/credits/eligibility?generation_ids=${succeeded.id},${refunded.id},${missing.id}`);
    expect(res.status).toBe(200);
    expect(res.body.suggested_total).toBe(180);
    expect(res.body.runs).toEqual([
      expect.objectContaining({ generation_id: succeeded.id, refund_state: 'none', tokens_charged: 120, tokens_returned: 0, eligible_tokens: 120 }),
      expect.objectContaining({
        generation_id: refunded.id, refund_state: 'auto_refunded', eligible_tokens: 0,
        blocked_by: { kind: 'auto_refund', id: refunded.refundId, created_at: expect.any(String) },
        message: expect.stringContaining('Already auto-refunded'),
      }),
      expect.objectContaining({ generation_id: missing.id, refund_state: 'refund_missing', eligible_tokens: 60 }),
    ]);
  });

  it('answers 400 without ids and 404 for an unknown run', async () => {
    expect((await w.as.agent.agent.get('/api/credits/eligibility')).body.errors).toHaveProperty('generation_ids');
    expect((await w.as.agent.agent.get('/api/credits/eligibility?generation_ids=nope')).status).toBe(404);
  });
});

describe('POST /api/credits', () => {
  it('applies a credit within the agent\'s limits at once: grant, items, ledger entry, audit evidence', async () => {
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      customer_id: w.customer.id, customer_name: 'Maya Chen', amount: 120, status: 'applied', reason: 'visual_artifacts',
      items: [{ generation_id: w.runs.succeeded.id, tokens: 120 }], requested_by: w.people.agent.id, requested_by_name: 'Ada Agent',
      transaction_id: expect.any(String), balance_after: await balance(), approval_reasons: [],
    });
    expect(await balance()).toBe(1000 - 120 - 80 - 150 + 150 - 60 + 120);
    expect(await one('SELECT kind, amount, credit_id, generation_id, chat_id FROM ledger_entries WHERE id = ?', res.body.transaction_id)).toEqual({
      kind: 'manual_credit', amount: 120, credit_id: res.body.id, generation_id: w.runs.succeeded.id, chat_id: w.chat.id,
    });
    const audits = await t.rows<{ action: string; actor_id: string; request_id: string; after_json: string }>('SELECT action, actor_id, request_id, after_json FROM audit_events WHERE entity_id = ? ORDER BY seq', [res.body.id]);
    expect(audits.map((a) => a.action)).toEqual(['credit.requested', 'credit.applied']);
    expect(audits[0].actor_id).toBe(w.people.agent.id);
    expect(audits[0].request_id).toBe(res.headers['x-request-id']);
    const evidence = JSON.parse(audits[0].after_json).evidence;
    expect(evidence).toMatchObject({ chat_ids: [w.chat.id], balance_before: 740, runs: [{ generation_id: w.runs.succeeded.id, refund_state: 'none', tokens_charged: 120 }] });
    expect(JSON.parse(audits[1].after_json)).toMatchObject({ balance: 860 });
    const after = await w.as.agent.agent.get(`/api/credits/eligibility?generation_ids=${w.runs.succeeded.id}`);
    expect(after.body.runs[0]).toMatchObject({ refund_state: 'credited', tokens_returned: 120, eligible_tokens: 0 });
  });

  it('refuses a credit on top of an auto-refund with 409 naming the refund entry and its date, and writes nothing', async () => {
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.refunded.id, tokens: 150 }]));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({
      code: 'already_refunded',
      message: expect.stringContaining(w.runs.refunded.refundId ?? 'x'),
      blocked_by: [{ generation_id: w.runs.refunded.id, kind: 'auto_refund', id: w.runs.refunded.refundId, created_at: expect.any(String) }],
    });
    expect(await value('SELECT COUNT(*) FROM credits')).toBe(0);
    expect(await value('SELECT COUNT(*) FROM idempotency_keys')).toBe(0);
  });

  it('judges eligibility before the reason: an auto-refunded run is 409 even with an unsuitable reason', async () => {
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.refunded.id, tokens: 150 }], { reason: 'goodwill' }));
    expect(res.status).toBe(409);
  });

  it('refuses tokens beyond what is left, naming the credit that took the rest', async () => {
    const first = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 100 }], { note: 'partly usable' }));
    expect(first.status).toBe(201);
    const second = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 30 }]));
    expect(second.status).toBe(409);
    expect(second.body.message).toMatch(/only 20 tokens left/);
    const third = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 20 }]));
    expect(third.status).toBe(201);
    const fourth = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 1 }], { note: 'x' }));
    expect(fourth.body).toMatchObject({ code: 'already_credited', blocked_by: [{ kind: 'manual_credit', id: third.body.transaction_id }] });
  });

  it('checks that the reason suits every run; goodwill is exactly the credit with no runs', async () => {
    const cases: [object, string][] = [
      [creditBody(w.customer.id, [{ generation_id: w.runs.missing.id, tokens: 60 }]), 'use missed_auto_refund'],
      [creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], { reason: 'missed_auto_refund' }), 'covers only failed runs'],
      [creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], { reason: 'goodwill' }), 'goodwill credits cover no runs'],
      [creditBody(w.customer.id, [], { amount: 50 }), 'covers no runs is a goodwill credit'],
    ];
    for (const [body, message] of cases) {
      const res = await postCredit(w.as.agent, body);
      expect(res.status).toBe(400);
      expect(res.body.errors.reason).toContain(message);
    }
    const fix = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.missing.id, tokens: 60 }], { reason: 'missed_auto_refund' }));
    expect(fix.status).toBe(201);
    expect(await value('SELECT COUNT(*) FROM credits')).toBe(1);
  });

  it('validates the body field by field and writes nothing', async () => {
    const res = await postCredit(w.as.agent, { customer_id: w.customer.id, items: [{ generation_id: w.runs.succeeded.id, tokens: 1.5 }], amount: 2, reason: 'other', ticket_ref: '', expected: 'x' });
    expect(res.status).toBe(400);
    expect(Object.keys(res.body.errors).sort()).toEqual(['items.0.tokens', 'received', 'ticket_ref'].sort());
    const other = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], { reason: 'other' }));
    expect(other.body.errors).toEqual({ note: 'is required when the reason is other' });
    const sum = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], { amount: 121 }));
    expect(sum.body.errors.amount).toMatch(/sum of the runs/);
    const differs = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 60 }]));
    expect(differs.body.errors.note).toMatch(/suggested 120/);
    const stranger = await postCredit(w.as.agent, creditBody('nobody', [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    expect(stranger.body.errors).toHaveProperty('customer_id');
    const noKey = await w.as.agent.agent.post('/api/credits').set('X-CSRF-Token', w.as.agent.csrf).send(creditBody(w.customer.id, []));
    expect(noKey.status).toBe(400);
    expect(noKey.body.errors).toHaveProperty('Idempotency-Key');
    expect(await value('SELECT COUNT(*) FROM credits') ).toBe(0);
    expect(await value("SELECT COUNT(*) FROM audit_events WHERE action LIKE 'credit.%'")).toBe(0);
  });

  it('needs the CSRF token', async () => {
    const res = await w.as.agent.agent.post('/api/credits').set('Idempotency-Key', freshKey()).send(creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    expect(res.status).toBe(403);
    expect(await value('SELECT COUNT(*) FROM credits')).toBe(0);
  });
});

describe('idempotency', () => {
  it('replays the first answer for the same key and body; 409 and nothing written for another body', async () => {
    const key = freshKey();
    const body = creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]);
    const first = await postCredit(w.as.agent, body, key);
    const again = await postCredit(w.as.agent, { ...body }, key);
    expect(again.status).toBe(first.status);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotency-replayed']).toBe('true');
    const other = await postCredit(w.as.agent, { ...body, ticket_ref: 'ZD-9999' }, key);
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('idempotency_key_reused');
    expect(await value('SELECT COUNT(*) FROM credits')).toBe(1);
    expect(await value("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'manual_credit'")).toBe(1);
  });

  it('scopes keys to the staff member who sends them', async () => {
    const key = freshKey();
    await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]), key).expect(201);
    const lead = await postCredit(w.as.lead, creditBody(w.customer.id, [{ generation_id: w.runs.second.id, tokens: 80 }]), key);
    expect(lead.status).toBe(201);
  });

  it('does not store a 4xx, so a corrected retry with the same key is judged afresh', async () => {
    const key = freshKey();
    const bad = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], { reason: 'other' }), key);
    expect(bad.status).toBe(400);
    const good = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], { reason: 'other', note: 'wrong colours' }), key);
    expect(good.status).toBe(201);
  });

  it('survives 200 concurrent requests with one key: one grant, one entry, every answer the same', async () => {
    const key = freshKey();
    const body = creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]);
    const answers = await Promise.all(Array.from({ length: 200 }, () => postCredit(w.as.agent, body, key)));
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
    expect(new Set(answers.map((a) => JSON.stringify(a.body))).size).toBe(1);
    expect(await value('SELECT COUNT(*) FROM credits')).toBe(1);
    expect(await value("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'manual_credit'")).toBe(1);
    const other = await postCredit(w.as.agent, { ...body, expected: 'something else' }, key);
    expect(other.status).toBe(409);
    expect(await value('SELECT COUNT(*) FROM credits')).toBe(1);
  });

  it('applies exactly one of 50 concurrent credits with different keys for one run; the rest are 409 naming it', async () => {
    const body = creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]);
    const answers = await Promise.all(Array.from({ length: 50 }, () => postCredit(w.as.agent, body)));
    const applied = answers.filter((a) => a.status === 201);
    expect(applied).toHaveLength(1);
    const refused = answers.filter((a) => a.status === 409);
    expect(refused).toHaveLength(49);
    for (const r of refused) expect(r.body.blocked_by).toEqual([expect.objectContaining({ kind: 'manual_credit', id: applied[0].body.transaction_id })]);
    expect(await value("SELECT tokens_credited FROM generations WHERE id = ?", w.runs.succeeded.id)).toBe(120);
    expect((await verifyLedger(t.ctx.storage)).problems).toEqual([]);
  });
});

describe('idempotency key retention', () => {
  it('keeps keys for at least 24 hours and forgets them after the retention', async () => {
    const key = freshKey();
    const body = creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]);
    await postCredit(w.as.agent, body, key).expect(201);
    t.time.advance(47 * 3_600_000);
    expect(await t.ctx.credits.purgeIdempotencyKeys(48)).toBe(0);
    t.time.advance(2 * 3_600_000);
    expect(await t.ctx.credits.purgeIdempotencyKeys(48)).toBe(1);
    expect(await value('SELECT COUNT(*) FROM idempotency_keys')).toBe(0);
  });
});
