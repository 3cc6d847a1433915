import { afterEach, describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { LEASE_MARGIN_MS } from '../../server/delivery/dispatcher.ts';
import { creditEventBodySchema } from '../../shared/delivery.ts';
import { buildRun } from './support/builders.ts';
import { postEvents } from './support/ingest.ts';
import { act, creditBody, creditWorld, postCredit } from './support/credits.ts';
import { newWebhookSecret, startStudioReceiver, type StudioReceiver } from './support/studioReceiver.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

interface EventRow {
  id: string;
  credit_id: string;
  type: string;
  state: string;
  attempts: number;
  failures: number;
  due_at: string | null;
  last_status: number | null;
  last_error: string | null;
  delivered_via: string | null;
  studio_ref: string | null;
  body: string;
}

let app: TestApp | undefined;
let receiver: StudioReceiver | undefined;

afterEach(async () => {
  await app?.ctx.dispatcher?.stop();
  await receiver?.stop();
  await app?.cleanup();
  app = undefined;
  receiver = undefined;
});

/** A console pushing to a real receiver on loopback; the test drives the dispatcher and the clock. */
async function pushWorld(env: Record<string, string> = {}) {
  const secret = newWebhookSecret();
  receiver = await startStudioReceiver(secret);
  const t = (app = await createTestApp({ STUDIO_WEBHOOK_URL: receiver.url, STUDIO_WEBHOOK_SECRET: secret, ...env }));
  const world = await creditWorld(t.app, t.ctx);
  const dispatcher = t.ctx.dispatcher;
  if (!dispatcher) throw new Error('push is on: the dispatcher must exist');
  const events = (creditId?: string): Promise<EventRow[]> =>
    creditId
      ? t.rows<EventRow>('SELECT * FROM credit_events WHERE credit_id = ? ORDER BY seq', [creditId])
      : t.rows<EventRow>('SELECT * FROM credit_events ORDER BY seq');
  return { ...world, secret, receiver, app: t, dispatcher, events };
}

describe('pushing credit events to the studio', () => {
  it('delivers an applied credit, signed so that a Standard Webhooks library verifies it, with the frozen body', async () => {
    const w = await pushWorld();
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], { note: 'internal: angry customer' }));
    expect(res.status).toBe(201);
    expect(res.body.delivery).toEqual([expect.objectContaining({ event_id: res.body.transaction_id, type: 'credit.applied', state: 'pending', attempts: 0 })]);

    expect(await w.dispatcher.runOnce()).toBe(1);
    expect(w.receiver.attempts).toHaveLength(1);
    const [attempt] = w.receiver.attempts;
    expect(attempt).toMatchObject({ id: res.body.transaction_id, verified: true, contentType: 'application/json' });
    // The studio's library, independently of the console's signing code.
    const verified = new Webhook(w.secret).verify(attempt.body, {
      'webhook-id': attempt.id, 'webhook-timestamp': attempt.timestamp, 'webhook-signature': attempt.signature,
    });
    expect(verified).toEqual({
      type: 'credit.applied',
      timestamp: expect.any(String),
      data: {
        transaction_id: res.body.transaction_id, credit_id: res.body.id, customer_id: w.customer.id, amount: 120,
        reason: 'visual_artifacts', ticket_ref: 'ZD-1042', runs: [{ generation_id: w.runs.succeeded.id, tokens: 120 }],
        requested_by: w.people.agent.id, approved_by: null, created_at: expect.any(String),
      },
    });
    // Never the customer's words or the internal note.
    expect(attempt.body).not.toMatch(/clean product shot|Stripes across|angry customer/);
    expect(attempt.body).toBe((await w.events())[0].body);

    const [row] = await w.events();
    expect(row).toMatchObject({ state: 'delivered', attempts: 1, delivered_via: 'webhook', studio_ref: 'studio-1', last_status: 200 });
    const record = await w.as.agent.agent.get(`/api/credits/${res.body.id}`);
    expect(record.body.delivery).toEqual([expect.objectContaining({ state: 'delivered', delivered_via: 'webhook', studio_ref: 'studio-1', attempts: 1 })]);
  });

  it('delivers many credits, each id once with its own bytes', async () => {
    const w = await pushWorld();
    const runs = [];
    for (let i = 0; i < 30; i++) runs.push(await buildRun(w.app.ctx, w.chat, w.customer.id, { charge: 10 }));
    const answers = await Promise.all(runs.map((run) => postCredit(w.as.lead, creditBody(w.customer.id, [{ generation_id: run.id, tokens: 10 }]))));
    expect(answers.map((a) => a.status)).toEqual(runs.map(() => 201));
    while ((await w.dispatcher.runOnce()) > 0);
    expect(w.receiver.booked.size).toBe(30);
    expect(new Set(w.receiver.attempts.map((a) => a.id)).size).toBe(w.receiver.attempts.length);
    expect(w.receiver.attempts.every((a) => a.verified)).toBe(true);
    const rows = await w.events();
    expect(rows).toHaveLength(30);
    for (const row of rows) expect(w.receiver.booked.get(row.id)).toBe(row.body);
    expect((await w.events()).every((row) => row.state === 'delivered')).toBe(true);
  });

  it('retries a 503 on the schedule with jitter and sends the same id and bytes again', async () => {
    const w = await pushWorld({ STUDIO_WEBHOOK_RETRY_SCHEDULE: '10s,1m' });
    w.receiver.behave(() => ({ answer: 503, body: 'busy' }));
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    await w.dispatcher.runOnce();
    let [row] = await w.events();
    expect(row).toMatchObject({ state: 'failing', attempts: 1, failures: 1, last_status: 503, last_error: 'answered 503' });
    const wait = Date.parse(row.due_at ?? '') - w.app.ctx.clock().getTime();
    expect(wait).toBeGreaterThanOrEqual(8_000);
    expect(wait).toBeLessThanOrEqual(12_000);
    const record = await w.as.agent.agent.get(`/api/credits/${res.body.id}`);
    expect(record.body.delivery[0]).toMatchObject({ state: 'failing', attempts: 1, last_status: 503, next_attempt_at: row.due_at });

    // Not due yet: nothing is sent.
    expect(await w.dispatcher.runOnce()).toBe(0);
    w.receiver.behave(() => ({ answer: 200 }));
    w.app.time.advance(12_001);
    expect(await w.dispatcher.runOnce()).toBe(1);
    [row] = await w.events();
    expect(row).toMatchObject({ state: 'delivered', attempts: 2 });
    expect(w.receiver.attempts).toHaveLength(2);
    expect(w.receiver.attempts[1].id).toBe(w.receiver.attempts[0].id);
    expect(w.receiver.attempts[1].body).toBe(w.receiver.attempts[0].body);
  });

  it('honours Retry-After on 429 as the least wait', async () => {
    const w = await pushWorld({ STUDIO_WEBHOOK_RETRY_SCHEDULE: '5s' });
    w.receiver.behave(() => ({ answer: 429, headers: { 'retry-after': '120' } }));
    await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    await w.dispatcher.runOnce();
    const [row] = await w.events();
    expect(row).toMatchObject({ state: 'failing', last_status: 429 });
    expect(Date.parse(row.due_at ?? '') - w.app.ctx.clock().getTime()).toBe(120_000);
  });

  it('counts a hang past the timeout, a refused connection and a redirect as failed attempts', async () => {
    const w = await pushWorld({ STUDIO_WEBHOOK_TIMEOUT_SECONDS: '1', STUDIO_WEBHOOK_RETRY_SCHEDULE: '1s,1s,1s,1s' });
    w.receiver.behave(() => ({ hang: true }));
    await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    const started = Date.now();
    await w.dispatcher.runOnce();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect((await w.events())[0]).toMatchObject({ state: 'failing', last_status: null, last_error: 'no answer within 1 s' });

    await w.receiver.stop();
    w.app.time.advance(2_000);
    await w.dispatcher.runOnce();
    expect((await w.events())[0]).toMatchObject({ state: 'failing', attempts: 2, last_status: null, last_error: 'connection refused' });

    await w.receiver.start();
    w.receiver.behave(() => ({ answer: 302, headers: { location: 'https://elsewhere.example/' } }));
    w.app.time.advance(2_000);
    await w.dispatcher.runOnce();
    expect((await w.events())[0]).toMatchObject({ state: 'failing', attempts: 3, last_status: 302, last_error: 'answered 302: redirects are not followed' });

    w.receiver.behave(() => ({ answer: 204, body: '' }));
    w.app.time.advance(2_000);
    await w.dispatcher.runOnce();
    expect((await w.events())[0]).toMatchObject({ state: 'delivered', attempts: 4, studio_ref: null });
    expect(w.receiver.booked.size).toBe(1);
    expect(new Set(w.receiver.attempts.map((a) => a.body)).size).toBe(1);
  });

  it('gives up after the last wait of the schedule, audited as the system; a lead retries, an agent may not', async () => {
    const w = await pushWorld({ STUDIO_WEBHOOK_RETRY_SCHEDULE: '1s,2s' });
    w.receiver.behave(() => ({ answer: 500 }));
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    for (let i = 0; i < 3; i++) {
      await w.dispatcher.runOnce();
      w.app.time.advance(3_000);
    }
    expect((await w.events())[0]).toMatchObject({ state: 'given_up', attempts: 3, failures: 3, due_at: null, last_status: 500 });
    expect(await w.dispatcher.runOnce()).toBe(0);
    const audit = await w.app.rows("SELECT actor_type, entity_id, after_json FROM audit_events WHERE action = 'credit.delivery_given_up' ORDER BY seq");
    expect(audit).toEqual([{ actor_type: 'system', entity_id: res.body.id, after_json: expect.stringContaining('"attempts":3') }]);

    expect((await act(w.as.agent, `/api/credits/${res.body.id}/delivery/retry`)).status).toBe(403);
    const retried = await act(w.as.lead, `/api/credits/${res.body.id}/delivery/retry`);
    expect(retried.status).toBe(200);
    expect(retried.body.delivery[0]).toMatchObject({ state: 'failing', next_attempt_at: w.app.ctx.clock().toISOString() });
    expect((await w.events())[0]).toMatchObject({ state: 'failing', failures: 0 });
    const retryAudit = (await w.app.rows<{ actor_id: string }>("SELECT actor_id FROM audit_events WHERE action = 'credit.delivery_retried' ORDER BY seq")).map((a) => a.actor_id);
    expect(retryAudit).toEqual([w.people.lead.id]);

    // The whole schedule again: the next failure waits the first delay, it does not give up at once.
    await w.dispatcher.runOnce();
    expect((await w.events())[0]).toMatchObject({ state: 'failing', failures: 1, attempts: 4 });
    w.receiver.behave(() => ({ answer: 200 }));
    w.app.time.advance(2_000);
    await w.dispatcher.runOnce();
    expect((await w.events())[0]).toMatchObject({ state: 'delivered', attempts: 5 });

    const again = await act(w.as.lead, `/api/credits/${res.body.id}/delivery/retry`);
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('nothing_to_retry');
    expect((await act(w.as.lead, '/api/credits/crd_missing/delivery/retry')).status).toBe(404);
  });

  it('lets an admin retry every given-up event at once, audited; a lead may not', async () => {
    const w = await pushWorld({ STUDIO_WEBHOOK_RETRY_SCHEDULE: '1s' });
    w.receiver.behave(() => ({ answer: 500 }));
    await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.second.id, tokens: 80 }]));
    await w.dispatcher.runOnce();
    w.app.time.advance(2_000);
    await w.dispatcher.runOnce();
    expect((await w.events()).map((e) => e.state)).toEqual(['given_up', 'given_up']);

    expect((await act(w.as.lead, '/api/studio/delivery/retry-given-up')).status).toBe(403);
    const res = await act(w.as.admin, '/api/studio/delivery/retry-given-up');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ retried: 2 });
    expect((await w.events()).map((e) => [e.state, e.failures])).toEqual([['failing', 0], ['failing', 0]]);
    const audit = await w.app.rows("SELECT actor_id, after_json FROM audit_events WHERE action = 'studio.delivery_retried_given_up' ORDER BY seq");
    expect(audit).toEqual([{ actor_id: w.people.admin.id, after_json: '{"retried":2}' }]);
  });

  it('sends a void only after the studio has the credit it reverses', async () => {
    const w = await pushWorld({ STUDIO_WEBHOOK_RETRY_SCHEDULE: '1s' });
    w.receiver.behave(() => ({ answer: 503 }));
    const res = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    await w.dispatcher.runOnce();
    const voided = await act(w.as.lead, `/api/credits/${res.body.id}/void`, { reason: 'Wrong account' });
    expect(voided.status).toBe(200);
    expect(voided.body.delivery.map((e: { type: string; state: string }) => [e.type, e.state])).toEqual([['credit.applied', 'failing'], ['credit.voided', 'pending']]);

    // The applied event fails; the void waits and is never sent meanwhile.
    w.app.time.advance(1_500);
    expect(await w.dispatcher.runOnce()).toBe(1);
    expect(w.receiver.attempts.every((a) => a.id === res.body.transaction_id)).toBe(true);
    expect((await w.events(res.body.id)).map((e) => e.state)).toEqual(['given_up', 'pending']);

    w.receiver.behave(() => ({ answer: 200 }));
    await act(w.as.lead, `/api/credits/${res.body.id}/delivery/retry`);
    expect(await w.dispatcher.runOnce()).toBe(1);
    expect(await w.dispatcher.runOnce()).toBe(1);
    expect([...w.receiver.booked.keys()]).toEqual([res.body.transaction_id, voided.body.void_transaction_id]);
    const voidBody = creditEventBodySchema.parse(JSON.parse(w.receiver.booked.get(voided.body.void_transaction_id) ?? ''));
    expect(voidBody).toMatchObject({
      type: 'credit.voided',
      data: { amount: -120, credit_id: res.body.id, reverses_transaction_id: res.body.transaction_id, void_cause: 'staff', runs: [{ generation_id: w.runs.succeeded.id, tokens: 120 }] },
    });
  });

  it('delivers the automatic void of a late auto-refund after the credit, with its cause', async () => {
    const w = await pushWorld();
    const credit = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.missing.id, tokens: 60 }], { reason: 'missed_auto_refund' }));
    expect(credit.status).toBe(201);
    const run = await w.app.value<string>('SELECT charge_id FROM generations WHERE id = ?', [w.runs.missing.id]);
    expect(run).toEqual(expect.any(String));
    const ingested = await postEvents(w.app.app, [{
      id: 'evt-late-refund', type: 'tokens.refunded', occurred_at: w.app.ctx.clock().toISOString(),
      data: { transaction_id: 'txn-late-refund', customer_id: w.customer.id, charge_transaction_id: run, amount: 60, created_at: w.app.ctx.clock().toISOString() },
    }]);
    expect(ingested.body).toMatchObject({ accepted: 1, rejected: [] });
    while ((await w.dispatcher.runOnce()) > 0);
    const bodies = [...w.receiver.booked.values()].map((body) => creditEventBodySchema.parse(JSON.parse(body)));
    expect(bodies.map((b) => [b.type, b.data.amount, b.data.void_cause])).toEqual([['credit.applied', 60, undefined], ['credit.voided', -60, 'late_auto_refund']]);
  });

  it('signs with both secrets during a rotation: a studio that knows only the previous one accepts', async () => {
    const previous = newWebhookSecret();
    const w = await pushWorld();
    await w.receiver.stop();
    receiver = await startStudioReceiver(previous, { port: w.receiver.port });
    await w.app.cleanup();
    app = await createTestApp({ STUDIO_WEBHOOK_URL: receiver.url, STUDIO_WEBHOOK_SECRET: newWebhookSecret(), STUDIO_WEBHOOK_SECRET_PREVIOUS: previous });
    const world = await creditWorld(app.app, app.ctx);
    await postCredit(world.as.agent, creditBody(world.customer.id, [{ generation_id: world.runs.succeeded.id, tokens: 120 }]));
    await app.ctx.dispatcher?.runOnce();
    expect(receiver.attempts).toHaveLength(1);
    expect(receiver.attempts[0].verified).toBe(true);
    expect(receiver.attempts[0].signature.split(' ')).toHaveLength(2);
    expect(receiver.booked.size).toBe(1);
  });

  it('keeps at most the configured number of attempts in flight', async () => {
    const w = await pushWorld({ STUDIO_WEBHOOK_CONCURRENCY: '2' });
    const runs = [];
    for (let i = 0; i < 6; i++) runs.push(await buildRun(w.app.ctx, w.chat, w.customer.id, { charge: 10 }));
    for (const run of runs) await postCredit(w.as.lead, creditBody(w.customer.id, [{ generation_id: run.id, tokens: 10 }]));
    // Slow answers, so attempts would overlap if the dispatcher let them.
    w.receiver.behave(() => ({ answer: 200, delayMs: 150 }));
    w.dispatcher.start();
    const deadline = Date.now() + 10_000;
    while ((await w.events()).some((e) => e.state !== 'delivered') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await w.events()).every((e) => e.state === 'delivered')).toBe(true);
    expect(w.receiver.maxConcurrent()).toBe(2);
    expect(w.receiver.booked.size).toBe(6);
  });

  it('sends an attempt cut by a crash again once its lease runs out, same id and bytes', async () => {
    const w = await pushWorld({ STUDIO_WEBHOOK_TIMEOUT_SECONDS: '2' });
    w.receiver.behave(() => ({ hang: true }));
    await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]));
    // An attempt in flight whose process dies: the lease stays, the outcome never comes.
    w.dispatcher.start();
    const deadline = Date.now() + 5_000;
    while (w.receiver.attempts.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const [leased] = await w.events();
    expect(leased.state).toBe('delivering');
    expect(Date.parse(leased.due_at ?? '') - w.app.ctx.clock().getTime()).toBe(2_000 + LEASE_MARGIN_MS);
    await w.dispatcher.stop();
    // The timed-out attempt recorded its failure; put the row back as the crash would have left it.
    expect(await w.app.run("UPDATE credit_events SET state = 'delivering', lease_token = 'lost', due_at = ?", [leased.due_at])).toEqual({ changes: 1 });

    w.receiver.behave(() => ({ answer: 200 }));
    expect(await w.dispatcher.runOnce()).toBe(0);
    w.app.time.advance(2_000 + LEASE_MARGIN_MS);
    expect(await w.dispatcher.runOnce()).toBe(1);
    expect((await w.events())[0]).toMatchObject({ state: 'delivered' });
    const ids = new Set(w.receiver.attempts.map((a) => a.id));
    expect(ids.size).toBe(1);
    expect(new Set(w.receiver.attempts.map((a) => a.body)).size).toBe(1);
  });
});
