import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCustomer } from './support/builders.ts';
import { creditBody, creditWorld, postCredit } from './support/credits.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
let w: Awaited<ReturnType<typeof creditWorld>>;
beforeEach(async () => {
  t = await createTestApp();
  w = await creditWorld(t.app, t.ctx);
});
afterEach(() => t.cleanup());

const list = (who: typeof w.as.lead, resource: string, filter: object = {}, extra = '') =>
  who.agent.get(`/api/${resource}?filter=${encodeURIComponent(JSON.stringify(filter))}${extra}`);

describe('GET /api/audit', () => {
  it('lists events newest first with before/after values and names, for leads and admins', async () => {
    const credit = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    const res = await list(w.as.lead, 'audit', { entity_id: credit.body.id });
    expect(res.status).toBe(200);
    expect(res.headers['content-range']).toBe('audit 0-1/2');
    expect(res.body.map((e: { action: string }) => e.action)).toEqual(['credit.applied', 'credit.requested']);
    expect(res.body[0]).toMatchObject({
      actor_type: 'staff', actor_id: w.people.agent.id, actor_name: 'Ada Agent', entity_type: 'credit', customer_id: w.customer.id,
      before: { balance: 740 }, after: { balance: 860 }, request_id: credit.headers['x-request-id'],
    });
    const signIns = await list(w.as.admin, 'audit', { action: 'auth.login' }, '&range=[0,1]');
    expect(signIns.headers['content-range']).toBe('audit 0-1/4');
    const record = await w.as.lead.agent.get(`/api/audit/${res.body[0].id}`);
    expect(record.body).toEqual(res.body[0]);
  });

  it('shows an agent one customer\'s trail, and refuses the whole log', async () => {
    await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    expect((await list(w.as.agent, 'audit')).status).toBe(403);
    expect((await list(w.as.agent, 'audit', { action: 'auth.login' })).status).toBe(403);
    const trail = await list(w.as.agent, 'audit', { customer_id: w.customer.id });
    expect(trail.status).toBe(200);
    expect(trail.body.every((e: { customer_id: string }) => e.customer_id === w.customer.id)).toBe(true);
    expect(trail.body).toHaveLength(2);
    expect((await w.as.agent.agent.get('/api/audit/1')).status).toBe(403);
    expect((await w.as.agent.agent.get('/api/audit/verify')).status).toBe(403);
  });

  it("refuses an agent a list of customer ids (every customer's trail in one call), naming filter.customer_id; leads may", async () => {
    const other = await buildCustomer(t.ctx, { name: 'Noor Other' });
    await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    const goodwill = await postCredit(w.as.lead, creditBody(other.id, [], { reason: 'goodwill', amount: 30 }));
    expect(goodwill.status).toBe(202);
    const everyCustomer = (await t.rows<{ id: string }>('SELECT id FROM customers ORDER BY id')).map((c) => c.id);
    expect(everyCustomer).toHaveLength(2);
    // The rows an agent must not get in one call: two customers' trails, one of them a lead's activity.
    expect(await t.rows('SELECT customer_id, actor_id, action FROM audit_events WHERE customer_id IS NOT NULL ORDER BY seq')).toEqual([
      { customer_id: w.customer.id, actor_id: w.people.agent.id, action: 'credit.requested' },
      { customer_id: w.customer.id, actor_id: w.people.agent.id, action: 'credit.applied' },
      { customer_id: other.id, actor_id: w.people.lead.id, action: 'credit.requested' },
    ]);

    for (const filter of [{ customer_id: everyCustomer }, { customer_id: [other.id] }, { customer_id: everyCustomer, action: 'credit.requested' }]) {
      const refused = await list(w.as.agent, 'audit', filter);
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({
        code: 'forbidden',
        message: 'Agents read the audit trail of one customer at a time: filter.customer_id must be one id, not a list.',
      });
      expect(refused.headers['content-range']).toBeUndefined();
    }
    const exportAsAgent = await w.as.agent.agent.get(`/api/audit/export.csv?filter=${encodeURIComponent(JSON.stringify({ customer_id: everyCustomer }))}`);
    expect(exportAsAgent.status).toBe(403);
    expect(exportAsAgent.text).not.toContain('credit.requested');

    // One customer at a time still works for the agent, and leads read several at once, in the list and the export.
    expect((await list(w.as.agent, 'audit', { customer_id: other.id })).body).toMatchObject([
      { customer_id: other.id, actor_id: w.people.lead.id, action: 'credit.requested', entity_id: goodwill.body.id },
    ]);
    const both = await list(w.as.lead, 'audit', { customer_id: everyCustomer });
    expect(both.status).toBe(200);
    expect(both.body.map((e: { customer_id: string }) => e.customer_id)).toEqual([other.id, w.customer.id, w.customer.id]);
    const exportAsLead = await w.as.lead.agent.get(`/api/audit/export.csv?filter=${encodeURIComponent(JSON.stringify({ customer_id: everyCustomer }))}`);
    expect(exportAsLead.status).toBe(200);
    expect(exportAsLead.text.trim().split(/\r?\n/)).toHaveLength(4);
  });

  it('answers 400 for unknown filters and 404 for a missing event', async () => {
    const res = await list(w.as.lead, 'audit', { secret: 1 });
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveProperty('filter.secret');
    expect((await w.as.lead.agent.get('/api/audit/999999')).status).toBe(404);
    expect((await w.as.lead.agent.get('/api/audit/abc')).status).toBe(404);
  });
});

describe('GET /api/audit/verify', () => {
  it('reports the chain status, and the first bad event after tampering', async () => {
    const ok = await w.as.lead.agent.get('/api/audit/verify');
    expect(ok.body).toEqual({ ok: true, checked: 4, first_bad_id: null });
    // An editor with the schema owner's rights, who drops the append-only trigger first.
    await t.ctx.storage.transaction(async (tx) => {
      await tx.run({ sqlite: 'DROP TRIGGER audit_no_update', postgres: 'DROP TRIGGER audit_no_update ON audit_events' });
      expect(await tx.run("UPDATE audit_events SET reason = 'edited' WHERE seq = 2")).toEqual({ changes: 1 });
    });
    const bad = await w.as.admin.agent.get('/api/audit/verify');
    expect(bad.body).toMatchObject({ ok: false, first_bad_id: 2 });
  });
});

describe('GET /api/credits', () => {
  it('lists grants with their items and names, filterable by status, reason, requester and customer', async () => {
    const applied = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    // A second later: the list is newest first, and PostgreSQL breaks a tie of created_at by the random part of the id.
    t.time.advance(1_000);
    const goodwill = await postCredit(w.as.lead, creditBody(w.customer.id, [], { reason: 'goodwill', amount: 30 }));
    expect(goodwill.status).toBe(202);
    const all = await list(w.as.agent, 'credits');
    expect(all.headers['content-range']).toBe('credits 0-1/2');
    expect(all.body[1]).toMatchObject({ id: applied.body.id, items: [{ generation_id: w.runs.succeeded.id, tokens: 120 }], requested_by_name: 'Ada Agent', customer_name: 'Maya Chen' });
    expect((await list(w.as.lead, 'credits', { status: 'pending_approval' })).body.map((c: { id: string }) => c.id)).toEqual([goodwill.body.id]);
    expect((await list(w.as.lead, 'credits', { reason: 'goodwill' })).body).toHaveLength(1);
    expect((await list(w.as.lead, 'credits', { requested_by: w.people.agent.id })).body).toHaveLength(1);
    expect((await list(w.as.lead, 'credits', { customer_id: 'someone-else' })).headers['content-range']).toBe('credits */0');
    expect((await list(w.as.lead, 'credits', { status: 'lost' })).status).toBe(400);
  });
});
