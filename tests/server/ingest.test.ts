import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createIngestService, DEFAULT_HELD_EVENT_LIMIT } from '../../server/ingest/ingestService.ts';
import type { Statement } from '../../db/storage/types.ts';
import { verifyLedger } from '../../server/ledger/ledgerCheck.ts';
import { postEvents, scenario } from './support/ingest.ts';
import { buildStaff, createTestApp, signIn, type TestApp } from './support/testApp.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

/** Everything ingestion stores, minus what legitimately follows arrival order (balance_after, seq, recorded_at). */
async function finalState(db: Pick<TestApp, 'rows' | 'value'>) {
  return {
    customers: await db.rows('SELECT * FROM customers ORDER BY id'),
    chats: await db.rows('SELECT * FROM chats ORDER BY id'),
    generations: await db.rows('SELECT * FROM generations ORDER BY id'),
    assets: await db.rows('SELECT * FROM assets ORDER BY id'),
    ledger: await db.rows(`SELECT id, customer_id, kind, amount, created_at, generation_id, chat_id, tool, reverses_id, credit_id
      FROM ledger_entries ORDER BY id`),
    credits: await db.rows('SELECT id, status FROM credits ORDER BY id'),
    held: await db.value('SELECT COUNT(*) FROM ingest_held'),
  };
}

/** The first column of every row, in the statement's order. */
const ids = async (sql: Statement): Promise<string[]> => (await t.rows<Record<string, string>>(sql)).map((row) => Object.values(row)[0]);
const count = async (sql: string): Promise<number> => (await t.value<number>(sql)) ?? Number.NaN;

describe('POST /api/ingest/events: the signature', () => {
  it('accepts a batch signed with the shared secret and stores every event type', async () => {
    const res = await postEvents(t.app, scenario());
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ accepted: 11, duplicates: 0, rejected: [] });
    expect(await t.rows('SELECT id, name, email, plan, time_zone, created_at, balance FROM customers')).toEqual([{
      id: 's-cus', name: 'Maya Chen', email: 'maya@example.com', plan: 'pro', time_zone: 'Europe/Paris', created_at: '2026-11-20T10:00:00.000Z', balance: 980,
    }]);
    expect(await t.rows('SELECT id, customer_id, title FROM chats')).toEqual([{ id: 's-chat', customer_id: 's-cus', title: 'Spring launch' }]);
    expect(await t.rows('SELECT id, status, tool, tokens_charged, tokens_auto_refunded, asset_count, error_code FROM generations ORDER BY id')).toEqual([
      { id: 's-g1', status: 'succeeded', tool: 'image', tokens_charged: 20, tokens_auto_refunded: 0, asset_count: 1, error_code: null },
      { id: 's-g2', status: 'failed', tool: 'video', tokens_charged: 150, tokens_auto_refunded: 150, asset_count: 0, error_code: 'gpu_timeout' },
    ]);
    expect(await t.rows('SELECT id, kind, amount, balance_after, chat_id, tool, reverses_id FROM ledger_entries ORDER BY seq')).toEqual([
      { id: 's-t-buy', kind: 'purchase', amount: 1000, balance_after: 1000, chat_id: null, tool: null, reverses_id: null },
      { id: 's-t-c1', kind: 'charge', amount: -20, balance_after: 980, chat_id: 's-chat', tool: 'image', reverses_id: null },
      { id: 's-t-c2', kind: 'charge', amount: -150, balance_after: 830, chat_id: 's-chat', tool: 'video', reverses_id: null },
      { id: 's-t-r2', kind: 'auto_refund', amount: 150, balance_after: 980, chat_id: 's-chat', tool: 'video', reverses_id: 's-t-c2' },
    ]);
    expect(await t.rows('SELECT actor_type, actor_id, action, after_json FROM audit_events')).toEqual([
      { actor_type: 'ingest', actor_id: 'ingest', action: 'ingest.batch', after_json: expect.stringContaining('"accepted":11') },
    ]);
  });

  it('refuses a missing, malformed, wrong or stale signature with 401 and writes nothing', async () => {
    const body = JSON.stringify({ events: scenario() });
    const cases = [
      { header: undefined, code: 'bad_signature' },
      { header: 'garbage', code: 'bad_signature' },
      { header: `t=${Math.floor(t.ctx.clock().getTime() / 1000)},v1=${'0'.repeat(64)}`, code: 'bad_signature' },
    ];
    for (const { header, code } of cases) {
      const req = (await import('supertest')).default(t.app).post('/api/ingest/events').set('Content-Type', 'application/json');
      const res = await (header ? req.set('X-Signature', header) : req).send(body);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe(code);
    }
    const wrongSecret = await postEvents(t.app, scenario(), { secret: 'another-secret-of-the-same-length' });
    expect(wrongSecret.status).toBe(401);
    const stale = await postEvents(t.app, scenario(), { at: new Date(t.ctx.clock().getTime() - 301_000) });
    expect(stale.status).toBe(401);
    expect(stale.body.code).toBe('stale_signature');
    const future = await postEvents(t.app, scenario(), { at: new Date(t.ctx.clock().getTime() + 301_000) });
    expect(future.body.code).toBe('stale_signature');
    expect(await count('SELECT COUNT(*) FROM customers') + await count('SELECT COUNT(*) FROM audit_events') + await count('SELECT COUNT(*) FROM ingest_events')).toBe(0);
  });

  it('refuses a body altered after signing', async () => {
    const signed = JSON.stringify({ events: scenario() });
    const { signBody } = await import('../../server/ingest/signature.ts');
    const { DEMO_INGEST_SECRET } = await import('../../server/config.ts');
    const header = signBody(DEMO_INGEST_SECRET, signed, Math.floor(t.ctx.clock().getTime() / 1000));
    const res = await (await import('supertest')).default(t.app).post('/api/ingest/events')
      .set('Content-Type', 'application/json').set('X-Signature', header).send(signed.replace('1000', '9000'));
    expect(res.status).toBe(401);
    expect(await count('SELECT COUNT(*) FROM ledger_entries')).toBe(0);
  });

  it('accepts a request signed with the old and the new secret during a rotation', async () => {
    const { signBody } = await import('../../server/ingest/signature.ts');
    const { DEMO_INGEST_SECRET } = await import('../../server/config.ts');
    const body = JSON.stringify({ events: scenario() });
    const t0 = Math.floor(t.ctx.clock().getTime() / 1000);
    const oldSig = signBody('the-previous-ingest-secret', body, t0).split(',')[1];
    const newSig = signBody(DEMO_INGEST_SECRET, body, t0).split(',')[1];
    const res = await (await import('supertest')).default(t.app).post('/api/ingest/events')
      .set('Content-Type', 'application/json').set('X-Signature', `t=${t0},${oldSig},${newSig}`).send(body);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(11);
  });

  it('makes a replayed request harmless: every event is a counted duplicate', async () => {
    await postEvents(t.app, scenario()).expect(200);
    const before = await finalState(t);
    const replay = await postEvents(t.app, scenario());
    expect(replay.body).toEqual({ accepted: 0, duplicates: 11, rejected: [] });
    expect(await finalState(t)).toEqual(before);
    expect(await count('SELECT COUNT(*) FROM ledger_entries')).toBe(4);
  });

  it('needs no session or CSRF token, and the ingest secret opens no other route', async () => {
    const { signBody } = await import('../../server/ingest/signature.ts');
    const { DEMO_INGEST_SECRET } = await import('../../server/config.ts');
    const res = await (await import('supertest')).default(t.app).get('/api/customers')
      .set('X-Signature', signBody(DEMO_INGEST_SECRET, '', Math.floor(t.ctx.clock().getTime() / 1000)));
    expect(res.status).toBe(401);
  });
});

describe('POST /api/ingest/events: the envelope', () => {
  it('answers 413 above 1000 events or 5 MB, and writes nothing', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ id: `e${i}`, type: 'customer.upserted', occurred_at: '2026-11-20T10:00:00Z', data: { id: `c${i}`, name: 'n', email: 'a@b.c', plan: 'free' } }));
    const tooMany = await postEvents(t.app, many);
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.code).toBe('payload_too_large');
    const huge = await postEvents(t.app, [], { rawBody: JSON.stringify({ events: [{ id: 'x', pad: 'x'.repeat(5 * 1024 * 1024) }] }) });
    expect(huge.status).toBe(413);
    expect(await count('SELECT COUNT(*) FROM customers') + await count('SELECT COUNT(*) FROM audit_events')).toBe(0);
  });

  it('answers 400 for a signed body that is not a batch', async () => {
    expect((await postEvents(t.app, [], { rawBody: 'not json' })).body).toMatchObject({ code: 'validation_failed', errors: { body: 'is not valid JSON' } });
    const empty = await postEvents(t.app, []);
    expect(empty.status).toBe(400);
    expect(empty.body.errors).toHaveProperty('events');
    expect((await postEvents(t.app, [], { rawBody: '{"events": "many"}' })).status).toBe(400);
    expect(await count('SELECT COUNT(*) FROM audit_events')).toBe(0);
  });

  it('keeps the good events of a mixed batch and names the bad one and its field', async () => {
    const events: unknown[] = scenario();
    events.splice(3, 0, { id: 'bad-1', type: 'tokens.purchased', occurred_at: '2026-11-20T10:00:00Z', data: { transaction_id: 'tx-bad', customer_id: 's-cus', amount: -5, created_at: '2026-11-20T10:00:00Z' } });
    events.push({ id: 'bad-2', type: 'tokens.teleported', occurred_at: '2026-11-20T10:00:00Z', data: {} });
    events.push('not an event');
    const res = await postEvents(t.app, events);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toBe(11);
    expect(res.body.rejected).toEqual([
      { id: 'bad-1', error: 'data.amount: must be positive' },
      { id: 'bad-2', error: expect.stringContaining('type: must be one of') },
      { id: null, error: expect.stringContaining('events[13]') },
    ]);
    expect(await count("SELECT COUNT(*) FROM ledger_entries WHERE id = 'tx-bad'")).toBe(0);
    // A rejected id is not remembered: sent again corrected, it is accepted.
    const fixed = await postEvents(t.app, [{ id: 'bad-1', type: 'tokens.purchased', occurred_at: '2026-11-20T10:00:00Z', data: { transaction_id: 'tx-bad', customer_id: 's-cus', amount: 5, created_at: '2026-11-20T10:00:00Z' } }]);
    expect(fixed.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
  });

  it('ignores unknown fields so the studio can add some', async () => {
    const events = scenario().map((e) => ({ ...e, trace: 'x', data: { ...e.data, future_field: 42 } }));
    expect((await postEvents(t.app, events)).body).toEqual({ accepted: 11, duplicates: 0, rejected: [] });
  });

  it('rejects asset URLs other than https: and /media/', async () => {
    await postEvents(t.app, scenario().slice(0, 6)).expect(200);
    const asset = (id: string, url: string, thumbnail?: string) => ({
      id: `ev-${id}`, type: 'asset.created', occurred_at: '2026-11-20T10:05:00Z',
      data: { id, generation_id: 's-g1', kind: 'image', mime: 'image/png', url, thumbnail_url: thumbnail, created_at: '2026-11-20T10:05:00Z' },
    });
    const res = await postEvents(t.app, [
      asset('a-js', 'javascript:alert(1)'), asset('a-data', 'data:image/png;base64,AAAA'), asset('a-http', 'http://cdn.example.com/x.png'),
      asset('a-up', '/media/../secret.db'), asset('a-thumb', 'https://cdn.example.com/x.png', 'javascript:alert(1)'),
      asset('a-ok', 'https://cdn.example.com/x.png', '/media/image-01.png'), asset('a-media', '/media/video-01.mp4'),
    ]);
    expect(res.body.accepted).toBe(2);
    expect(res.body.rejected.map((r: { id: string; error: string }) => [r.id, r.error])).toEqual([
      ['ev-a-js', 'data.url: must be an https: URL or a /media/ path'],
      ['ev-a-data', 'data.url: must be an https: URL or a /media/ path'],
      ['ev-a-http', 'data.url: must be an https: URL or a /media/ path'],
      ['ev-a-up', 'data.url: must be an https: URL or a /media/ path'],
      ['ev-a-thumb', 'data.thumbnail_url: must be an https: URL or a /media/ path'],
    ]);
    expect(await ids('SELECT id FROM assets ORDER BY id')).toEqual(['a-media', 'a-ok']);
  });
});

describe('ingestion semantics', () => {
  it('lands on the same state whatever the arrival order (every permutation of a failed, refunded run)', async () => {
    // customer, chat, run, failure, charge, refund: all 720 orders, one event per delivery,
    // each order under its own ids in one database, compared with the ids folded back.
    // 4,320 one-event batches, a transaction each: some 20 s on SQLite, 40 s on PostgreSQL, hence the timeout.
    const story = (prefix: string) => scenario(prefix).filter((e) => ['e1', 'e3', 'e8', 'e9', 'e10', 'e11'].some((n) => e.id === `${prefix}-${n}`));
    const stateOf = async (prefix: string): Promise<string> => JSON.stringify({
      customers: await t.rows('SELECT * FROM customers WHERE id = ?', [`${prefix}-cus`]),
      chats: await t.rows('SELECT * FROM chats WHERE customer_id = ?', [`${prefix}-cus`]),
      generations: await t.rows('SELECT * FROM generations WHERE customer_id = ? ORDER BY id', [`${prefix}-cus`]),
      ledger: await t.rows(`SELECT id, kind, amount, created_at, generation_id, chat_id, tool, reverses_id FROM ledger_entries
        WHERE customer_id = ? ORDER BY id`, [`${prefix}-cus`]),
      held: await t.value("SELECT COUNT(*) FROM ingest_held WHERE event_id LIKE ? || '-%'", [prefix]),
    }).replaceAll(`${prefix}-`, 'ID-').replaceAll(`|${prefix}`, '|ID');
    for (const event of story('ref')) expect(await t.ctx.ingest.ingestBatch([event])).toMatchObject({ accepted: 1 });
    const expected = await stateOf('ref');
    expect(expected).toContain('"held":0');
    expect(expected).toContain('"kind":"auto_refund"');
    const permutations = <T,>(items: T[]): T[][] =>
      items.length <= 1 ? [items] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
    const orders = permutations([0, 1, 2, 3, 4, 5]);
    expect(orders).toHaveLength(720);
    for (const [n, order] of orders.entries()) {
      const prefix = `p${n}`;
      const events = story(prefix);
      for (const i of order) expect(await t.ctx.ingest.ingestBatch([events[i]])).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
      expect(await stateOf(prefix)).toBe(expected);
    }
    expect((await verifyLedger(t.ctx.storage)).problems).toEqual([]);
  }, 180_000);

  it('lands on the same state for random orders and batch splits of the whole scenario, with duplicates mixed in', async () => {
    await postEvents(t.app, scenario()).expect(200);
    const expected = await finalState(t);
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(scenario(), { minLength: 11, maxLength: 11 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 11, maxLength: 11 }),
        fc.array(fc.nat(10), { maxLength: 4 }),
        async (order, sizes, repeats) => {
          const other = await createTestApp();
          try {
            const deliveries = [...order, ...repeats.map((i) => order[i])];
            for (let i = 0, b = 0; i < deliveries.length; b++) {
              const batch = deliveries.slice(i, i + sizes[b % sizes.length]);
              i += batch.length;
              expect((await postEvents(other.app, batch)).status).toBe(200);
            }
            expect(await finalState(other)).toEqual(expected);
          } finally {
            await other.cleanup();
          }
        },
      ),
      { numRuns: 40 },
    );
  }, 60_000);

  it('holds an event until its parent arrives, counting it as accepted', async () => {
    const [customer, , chat] = scenario();
    const early = await postEvents(t.app, [chat]);
    expect(early.body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await count('SELECT COUNT(*) FROM ingest_held')).toBe(1);
    expect(await count('SELECT COUNT(*) FROM chats')).toBe(0);
    expect((await postEvents(t.app, [chat])).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    await postEvents(t.app, [customer]).expect(200);
    expect(await count('SELECT COUNT(*) FROM ingest_held')).toBe(0);
    expect(await count('SELECT COUNT(*) FROM chats')).toBe(1);
  });

  it('keeps the fields of the latest customer.upserted, whichever arrives last', async () => {
    const base = scenario()[0];
    const newer = { ...base, id: 'upd-2', occurred_at: '2026-11-21T09:00:00.000Z', data: { ...base.data, name: 'Maya Chen-Li', plan: 'studio' } };
    await postEvents(t.app, [newer]).expect(200);
    await postEvents(t.app, [base]).expect(200);
    expect(await t.rows('SELECT name, plan, created_at FROM customers')).toEqual([{ name: 'Maya Chen-Li', plan: 'studio', created_at: '2026-11-20T10:00:00.000Z' }]);
  });

  it('counts a second refund of one charge under another id as a duplicate, not a second refund', async () => {
    await postEvents(t.app, scenario()).expect(200);
    const again = { ...scenario()[10], id: 'refund-again', data: { ...scenario()[10].data, transaction_id: 'another-refund-id' } };
    expect((await postEvents(t.app, [again])).body).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await count("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'auto_refund'")).toBe(1);
    expect(await count("SELECT balance FROM customers WHERE id = 's-cus'")).toBe(980);
  });

  it('rejects a refund that is not the whole charge, or of another customer', async () => {
    await postEvents(t.app, scenario().slice(0, 9)).expect(200);
    const refund = scenario()[10];
    const partial = { ...refund, data: { ...refund.data, amount: 100 } };
    expect((await postEvents(t.app, [partial])).body.rejected).toEqual([{ id: 's-e11', error: 'an auto-refund reverses the whole charge: 150 tokens, not 100' }]);
    expect(await count("SELECT COUNT(*) FROM ledger_entries WHERE kind = 'auto_refund'")).toBe(0);
  });

  it('lets a late auto-refund win over a missed_auto_refund credit: the credit is voided by system, audited', async () => {
    const { buildStaff } = await import('./support/testApp.ts');
    const { creditOps } = await import('./support/creditOps.ts');
    const events = scenario();
    await postEvents(t.app, events.slice(0, 10)).expect(200);
    const agent = await buildStaff(t.ctx);
    const credit = await creditOps(t.ctx, agent.id).create('s-cus', [{ generation_id: 's-g2', tokens: 150 }], 'applied');
    expect(await count("SELECT balance FROM customers WHERE id = 's-cus'")).toBe(980);

    await postEvents(t.app, [events[10]]).expect(200);
    expect(await t.row('SELECT status, voided_by, void_transaction_id FROM credits WHERE id = ?', [credit])).toEqual({ status: 'voided', voided_by: 'system', void_transaction_id: expect.any(String) });
    expect(await t.row("SELECT tokens_charged, tokens_auto_refunded, tokens_credited FROM generations WHERE id = 's-g2'")).toEqual({ tokens_charged: 150, tokens_auto_refunded: 150, tokens_credited: 0 });
    expect(await count("SELECT balance FROM customers WHERE id = 's-cus'")).toBe(980);
    expect(await t.rows("SELECT actor_type, reason FROM audit_events WHERE action = 'credit.voided'")).toEqual([{ actor_type: 'system', reason: expect.stringContaining('s-t-r2') }]);
    expect((await verifyLedger(t.ctx.storage)).problems).toEqual([]);
  });

  it('rejects a pending credit that reserved the tokens of a run the studio then refunds', async () => {
    const { buildStaff } = await import('./support/testApp.ts');
    const { creditOps } = await import('./support/creditOps.ts');
    const events = scenario();
    await postEvents(t.app, events.slice(0, 10)).expect(200);
    const credit = await creditOps(t.ctx, (await buildStaff(t.ctx)).id).create('s-cus', [{ generation_id: 's-g2', tokens: 150 }], 'pending_approval');
    await postEvents(t.app, [events[10]]).expect(200);
    expect(await t.value('SELECT status FROM credits WHERE id = ?', [credit])).toBe('rejected');
    expect(await t.value("SELECT tokens_reserved FROM generations WHERE id = 's-g2'")).toBe(0);
  });
});

describe('held events: the limit and the report', () => {
  /** The app's ingestion with a held-event limit of `limit`, so a test need not hold 100,000 events. */
  function limitHeldEvents(limit: number): void {
    const { ctx } = t;
    const db = ctx.database.engine === 'sqlite' ? ctx.database.db : null;
    ctx.ingest = createIngestService(ctx.storage, db, ctx.ledger, ctx.creditReversals, ctx.delivery, ctx.audit, ctx.clock, { heldEventLimit: limit });
  }
  /** A chat that arrives before its customer, of the scenario under `prefix`. */
  const orphanChat = (prefix: string) => scenario(prefix)[2];
  // In the order they were held: SQLite's rowid; PostgreSQL's ingest_held has none, and ingestion orders it thus (ingestRepository).
  const heldIds = (): Promise<string[]> => ids({
    sqlite: 'SELECT event_id FROM ingest_held ORDER BY rowid',
    postgres: 'SELECT event_id FROM ingest_held ORDER BY received_at, occurred_at, event_id',
  });
  const remembered = (id: string): Promise<number | undefined> => t.value('SELECT COUNT(*) FROM ingest_events WHERE id = ?', [id]);

  it('rejects a new event whose parent is missing once the limit is reached, naming the parent, and does not remember it', async () => {
    limitHeldEvents(2);
    expect((await postEvents(t.app, [orphanChat('a'), orphanChat('b')])).body).toEqual({ accepted: 2, duplicates: 0, rejected: [] });
    expect(await heldIds()).toEqual(['a-e3', 'b-e3']);

    // The good events of the batch still land: one with no missing parent, and one whose parent came earlier in the batch.
    const [cCustomer] = scenario('c');
    const batch = [orphanChat('d'), scenario('e')[0], cCustomer, orphanChat('c')];
    const full = await postEvents(t.app, batch, { at: t.ctx.clock() });
    expect(full.body).toEqual({
      accepted: 3, duplicates: 0,
      rejected: [{ id: 'd-e3', error: 'customer d-cus is not stored yet, and 2 events already wait for their parent records (the most Token Desk holds): send customer d-cus first, then this event again' }],
    });
    expect(await heldIds()).toEqual(['a-e3', 'b-e3']);
    expect(await remembered('d-e3')).toBe(0);
    expect(await ids('SELECT id FROM chats ORDER BY id')).toEqual(['c-chat']);
    expect(JSON.parse((await t.value<string>("SELECT after_json FROM audit_events WHERE action = 'ingest.batch' ORDER BY seq DESC")) ?? 'null'))
      .toMatchObject({ events: 4, accepted: 3, rejected: 1, held: 0 });

    // Once a parent arrives its waiting event is applied and frees a place: the rejected event, sent again, is held.
    await postEvents(t.app, [scenario('a')[0]]).expect(200);
    expect(await heldIds()).toEqual(['b-e3']);
    expect((await postEvents(t.app, [orphanChat('d')])).body).toEqual({ accepted: 1, duplicates: 0, rejected: [] });
    expect(await heldIds()).toEqual(['b-e3', 'd-e3']);
    await postEvents(t.app, [scenario('d')[0]]).expect(200);
    expect(await ids('SELECT id FROM chats ORDER BY id')).toEqual(['a-chat', 'c-chat', 'd-chat']);
  });

  it('shows leads and admins the count, the limit and the event held longest; agents get 403', async () => {
    const [lead, admin, agent] = await Promise.all([buildStaff(t.ctx, { role: 'lead' }), buildStaff(t.ctx, { role: 'admin' }), buildStaff(t.ctx)]);
    const asLead = (await signIn(t.app, lead.email)).agent;
    expect((await asLead.get('/api/reports/ingest-held')).body).toEqual({ held: 0, limit: DEFAULT_HELD_EVENT_LIMIT, oldest: null });
    expect(DEFAULT_HELD_EVENT_LIMIT).toBe(100_000);
    limitHeldEvents(5);

    const refund = scenario('r')[10];
    await postEvents(t.app, [refund]).expect(200);
    t.time.advance(60_000);
    await postEvents(t.app, [orphanChat('b'), scenario('b')[3]], { at: t.ctx.clock() }).expect(200);
    const report = await asLead.get('/api/reports/ingest-held');
    expect(report.status).toBe(200);
    expect(report.body).toEqual({
      held: 3, limit: 5,
      oldest: { event_id: 'r-e11', type: 'tokens.refunded', waits_for: { kind: 'transaction', id: 'r-t-c2' }, occurred_at: refund.occurred_at, received_at: '2026-11-20T12:00:00.000Z' },
    });
    expect(await count('SELECT COUNT(*) FROM ingest_held')).toBe(3);
    expect((await (await signIn(t.app, admin.email)).agent.get('/api/reports/ingest-held')).body).toEqual(report.body);
    expect((await (await signIn(t.app, agent.email)).agent.get('/api/reports/ingest-held')).status).toBe(403);
  });
});
