import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { creditFeedPageSchema } from '../../shared/delivery.ts';
import { buildRun } from './support/builders.ts';
import { act, creditBody, creditWorld, postCredit } from './support/credits.ts';
import { postEvents } from './support/ingest.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

const FEED_TOKEN = 'feed-token-0123456789-abcdefghijklmnop';
const METRICS_TOKEN = 'metrics-token-0123456789-abcdefghijklm';

let app: TestApp | undefined;
afterEach(async () => {
  await app?.cleanup();
  app = undefined;
});

/** A console with the feed on and a few credits: three applied, one of them voided. */
async function feedWorld(env: Record<string, string> = {}) {
  const t = (app = await createTestApp({ STUDIO_FEED_TOKEN: FEED_TOKEN, ...env }));
  const w = await creditWorld(t.app, t.ctx);
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await buildRun(t.ctx, w.chat, w.customer.id, { charge: 10 }));
  const credits = [];
  for (const run of runs) credits.push((await postCredit(w.as.lead, creditBody(w.customer.id, [{ generation_id: run.id, tokens: 10 }]))).body);
  await act(w.as.lead, `/api/credits/${credits[0].id}/void`, { reason: 'Wrong account' });
  const feed = (query: string, token = FEED_TOKEN) => request(t.app).get(`/api/studio/credit-events${query}`).set('Authorization', `Bearer ${token}`);
  const states = () => t.rows<{ seq: number; state: string; delivered_via: string | null }>('SELECT seq, state, delivered_via FROM credit_events ORDER BY seq');
  return { ...w, app: t, credits, feed, states };
}

describe('the credit event feed', () => {
  it('pages events in seq order with the pushed body, and acknowledges what the studio has', async () => {
    const w = await feedWorld();
    const first = await w.feed('?limit=2');
    expect(first.status).toBe(200);
    const page = creditFeedPageSchema.parse(first.body);
    expect(page.events.map((e) => [e.seq, e.type])).toEqual([[1, 'credit.applied'], [2, 'credit.applied']]);
    expect(page).toMatchObject({ next_cursor: 2, has_more: true });
    const stored = (await w.app.value<string>('SELECT body FROM credit_events WHERE seq = 1')) ?? '';
    const { seq, ...pushed } = first.body.events[0];
    expect(seq).toBe(1);
    expect(pushed).toEqual({ id: w.credits[0].transaction_id, ...JSON.parse(stored) });
    // Reading is not acknowledging: nothing is delivered yet.
    expect((await w.states()).every((s) => s.state === 'pending')).toBe(true);

    const second = await w.feed('?after=2&limit=2');
    expect(second.body).toMatchObject({ next_cursor: 4, has_more: false });
    expect(second.body.events.map((e: { type: string }) => e.type)).toEqual(['credit.applied', 'credit.voided']);
    expect((await w.states()).map((s) => [s.state, s.delivered_via])).toEqual([['delivered', 'feed'], ['delivered', 'feed'], ['pending', null], ['pending', null]]);

    const end = await w.feed('?after=4');
    expect(end.body).toEqual({ events: [], next_cursor: 4, has_more: false });
    expect((await w.states()).every((s) => s.state === 'delivered')).toBe(true);
    const record = await w.as.agent.agent.get(`/api/credits/${w.credits[0].id}`);
    expect(record.body.delivery.map((d: { state: string; delivered_via: string }) => [d.state, d.delivered_via])).toEqual([['delivered', 'feed'], ['delivered', 'feed']]);
    // A repeated acknowledgement changes nothing.
    const deliveredAt = await w.app.rows('SELECT delivered_at FROM credit_events ORDER BY seq');
    expect(deliveredAt).toHaveLength(4);
    w.app.time.advance(60_000);
    await w.feed('?after=4');
    expect(await w.app.rows('SELECT delivered_at FROM credit_events ORDER BY seq')).toEqual(deliveredAt);
  });

  it('answers 401 without the right bearer token, also for a staff session, and 404 when the feed is off', async () => {
    const w = await feedWorld();
    expect((await w.feed('', 'wrong-token-wrong-token-wrong-token-wrong')).status).toBe(401);
    const none = await request(w.app.app).get('/api/studio/credit-events');
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await w.as.admin.agent.get('/api/studio/credit-events')).status).toBe(401);
    expect((await w.states()).every((s) => s.state === 'pending')).toBe(true);

    await app?.cleanup();
    app = await createTestApp();
    const off = await request(app.app).get('/api/studio/credit-events').set('Authorization', `Bearer ${FEED_TOKEN}`);
    expect(off.status).toBe(404);
  });

  it('refuses bad paging with a 400 naming the parameter, acknowledging nothing', async () => {
    const w = await feedWorld();
    for (const [query, field] of [['?limit=0', 'limit'], ['?limit=501', 'limit'], ['?after=-1', 'after'], ['?after=abc', 'after'], ['?cursor=1', 'query']] as const) {
      const res = await w.feed(query);
      expect(res.status, query).toBe(400);
      expect(Object.keys(res.body.errors), query).toContain(field === 'query' ? 'query' : field);
    }
    expect((await w.states()).every((s) => s.state === 'pending')).toBe(true);
  });
});

describe("the studio's echo of a booked credit", () => {
  const echo = (id: string, type: string, data: Record<string, unknown>) => ({ id, type, occurred_at: '2026-11-20T12:01:00.000Z', data });

  it('confirms a matching event, writes no ledger entry, and is harmless repeated', async () => {
    const w = await feedWorld();
    const credit = w.credits[1];
    const before = await w.app.value('SELECT COUNT(*) FROM ledger_entries');
    const balance = await w.app.value('SELECT balance FROM customers WHERE id = ?', [w.customer.id]);
    const data = { transaction_id: credit.transaction_id, credit_id: credit.id, customer_id: w.customer.id, amount: 10 };
    const res = await postEvents(w.app.app, [echo('echo-1', 'tokens.credit_applied', data)]);
    expect(res.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    const confirmed = await w.app.value('SELECT confirmed_at FROM credit_events WHERE id = ?', [credit.transaction_id]);
    expect(confirmed).toBe(w.app.ctx.clock().toISOString());
    expect(await w.app.value('SELECT COUNT(*) FROM ledger_entries')).toBe(before);
    expect(await w.app.value('SELECT balance FROM customers WHERE id = ?', [w.customer.id])).toBe(balance);
    const record = await w.as.agent.agent.get(`/api/credits/${credit.id}`);
    expect(record.body.delivery[0].confirmed_at).toBe(confirmed);

    w.app.time.advance(60_000);
    // The same event again, and the same confirmation under another event id: duplicates, nothing changes.
    expect((await postEvents(w.app.app, [echo('echo-1', 'tokens.credit_applied', data)])).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect((await postEvents(w.app.app, [echo('echo-2', 'tokens.credit_applied', data)])).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await w.app.value('SELECT confirmed_at FROM credit_events WHERE id = ?', [credit.transaction_id])).toBe(confirmed);

    const voided = await w.app.value<string>("SELECT id FROM credit_events WHERE type = 'credit.voided'");
    const voidEcho = { transaction_id: voided, credit_id: w.credits[0].id, customer_id: w.customer.id, amount: -10 };
    expect((await postEvents(w.app.app, [echo('echo-3', 'tokens.credit_voided', voidEcho)])).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  });

  it('rejects an echo that matches no event or names another type, credit, customer or amount, naming the field', async () => {
    const w = await feedWorld();
    const credit = w.credits[1];
    const good = { transaction_id: credit.transaction_id, credit_id: credit.id, customer_id: w.customer.id, amount: 10 };
    const res = await postEvents(w.app.app, [
      echo('bad-1', 'tokens.credit_applied', { ...good, transaction_id: 'txn_unknown' }),
      echo('bad-2', 'tokens.credit_voided', { ...good, amount: -10 }),
      echo('bad-3', 'tokens.credit_applied', { ...good, credit_id: w.credits[2].id }),
      echo('bad-4', 'tokens.credit_applied', { ...good, customer_id: 'cus_other' }),
      echo('bad-5', 'tokens.credit_applied', { ...good, amount: 11 }),
      echo('bad-6', 'tokens.credit_applied', { ...good, amount: 0 }),
    ]);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(0);
    expect(res.body.rejected).toEqual([
      { id: 'bad-1', error: expect.stringMatching(/^data\.transaction_id: /) },
      { id: 'bad-2', error: expect.stringMatching(/^type: /) },
      { id: 'bad-3', error: expect.stringMatching(/^data\.credit_id: /) },
      { id: 'bad-4', error: expect.stringMatching(/^data\.customer_id: /) },
      { id: 'bad-5', error: expect.stringMatching(/^data\.amount: .*10 tokens, not 11/) },
      { id: 'bad-6', error: expect.stringMatching(/^data\.amount: /) },
    ]);
    expect(await w.app.value('SELECT COUNT(*) FROM credit_events WHERE confirmed_at IS NOT NULL')).toBe(0);
    // Rejected events are not remembered: the studio may send them again corrected.
    expect(await w.app.value("SELECT COUNT(*) FROM ingest_events WHERE id LIKE 'bad-%'")).toBe(0);
  });
});

describe('a run credited before', () => {
  it('says in its eligibility whether the studio has the credit that blocks it, so no reply claims tokens not yet added', async () => {
    const w = await feedWorld();
    const credited = w.credits[1].items[0].generation_id as string;
    const before = await w.as.agent.agent.get(`/api/credits/eligibility?generation_ids=${credited}`);
    expect(before.body.runs[0].blocked_by).toEqual({ kind: 'manual_credit', id: w.credits[1].transaction_id, created_at: expect.any(String), delivered: false });
    const seq = await w.app.value<number>('SELECT seq FROM credit_events WHERE id = ?', [w.credits[1].transaction_id]);
    expect(seq).toEqual(expect.any(Number));
    await w.feed(`?after=${seq}`);
    const after = await w.as.agent.agent.get(`/api/credits/eligibility?generation_ids=${credited}`);
    expect(after.body.runs[0].blocked_by).toMatchObject({ kind: 'manual_credit', delivered: true });
  });
});

describe('the delivery report and metrics', () => {
  it('tells every staff session whether credits can reach the studio', async () => {
    const w = await feedWorld();
    const me = await w.as.agent.agent.get('/api/auth/me');
    expect(me.body.studio_delivery).toEqual({ push_enabled: false, feed_enabled: true });
  });

  it('reports counts by state, the oldest undelivered, the last delivery and the last error to leads only', async () => {
    const w = await feedWorld();
    expect((await w.as.agent.agent.get('/api/reports/studio-delivery')).status).toBe(403);
    const before = await w.as.lead.agent.get('/api/reports/studio-delivery');
    expect(before.body).toEqual({
      push_enabled: false, feed_enabled: true, counts: { pending: 4, failing: 0, given_up: 0, delivered: 0 },
      oldest_undelivered_at: w.app.ctx.clock().toISOString(), last_delivered_at: null, last_error: null, oldest_failing_since: null,
    });
    expect(await w.app.run("UPDATE credit_events SET state = 'failing', last_error = 'answered 503', failing_since = '2026-11-20T11:00:00.000Z', last_attempt_at = '2026-11-20T11:59:00.000Z' WHERE seq = 4")).toEqual({ changes: 1 });
    w.app.time.advance(1_000);
    await w.feed('?after=2');
    const after = await w.as.admin.agent.get('/api/reports/studio-delivery');
    expect(after.body).toMatchObject({
      counts: { pending: 1, failing: 1, given_up: 0, delivered: 2 }, last_delivered_at: w.app.ctx.clock().toISOString(),
      last_error: 'answered 503', oldest_failing_since: '2026-11-20T11:00:00.000Z',
    });
  });

  it('serves Prometheus text behind its bearer token, and 404 when METRICS_TOKEN is unset', async () => {
    const w = await feedWorld({ METRICS_TOKEN });
    await w.feed('?after=1');
    await w.as.agent.agent.get(`/api/credits/${w.credits[1].id}`);
    expect((await request(w.app.app).get('/metrics')).status).toBe(401);
    expect((await request(w.app.app).get('/metrics').set('Authorization', `Bearer ${FEED_TOKEN}`)).status).toBe(401);
    const res = await request(w.app.app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text).toContain('token_desk_credit_events{state="delivered"} 1');
    expect(res.text).toContain('token_desk_credit_events{state="pending"} 3');
    expect(res.text).toMatch(/token_desk_credit_delivery_oldest_undelivered_age_seconds \d/);
    expect(res.text).toContain('# TYPE token_desk_credit_delivery_attempts_total counter');
    expect(res.text).toContain('# TYPE token_desk_credit_delivery_attempt_duration_seconds histogram');
    expect(res.text).toContain('token_desk_http_requests_total{method="GET",route="/api/credits/:id",status="200"} 1');
    expect(res.text).toContain('token_desk_http_requests_total{method="GET",route="/api/studio/credit-events",status="200"} 1');

    await app?.cleanup();
    app = await createTestApp();
    expect((await request(app.app).get('/metrics').set('Authorization', `Bearer ${METRICS_TOKEN}`)).status).toBe(404);
  });
});
