import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { statementFor, type Params, type Queryable, type Statement } from '../../db/storage/types.ts';
import { lookupSql } from '../../db/repositories/lookupQueries.ts';
import { lookup as resolveLookup, lookupCandidates } from '../../server/resources/lookup.ts';
import { lookupResultSchema } from '../../shared/lookup.ts';
import { buildChat, buildCustomer, buildRun } from './support/builders.ts';
import { buildStaff, createTestApp, signIn, type TestApp } from './support/testApp.ts';

let t: TestApp;
let browser: Awaited<ReturnType<typeof signIn>>['agent'];
let world: Awaited<ReturnType<typeof buildWorld>>;

async function buildWorld() {
  const customer = await buildCustomer(t.ctx, { id: 'cus_8Kd2', name: 'Grace Hopper', email: 'Grace.Hopper@Navy.example', balance: 300 });
  const chat = await buildChat(t.ctx, customer.id, { id: 'c7f3a9e2-41d0-4b8e-9a55-0e2f6d1c8b74' });
  const run = await buildRun(t.ctx, chat, customer.id, { id: 'gen_01JD8Z', charge: 40 });
  const purchase = await t.value<string>("SELECT id FROM ledger_entries WHERE kind = 'purchase'");
  if (purchase === undefined) throw new Error('the purchase entry is missing');
  return { customer, chat, run, purchase };
}

beforeEach(async () => {
  t = await createTestApp();
  world = await buildWorld();
  const staff = await buildStaff(t.ctx);
  browser = (await signIn(t.app, staff.email)).agent;
});
afterEach(() => t.cleanup());

/** The lookup over the test app's storage, recording the (SQLite) text of every statement it runs, to count its queries. */
function countingLookup() {
  const executed: string[] = [];
  const storage = t.ctx.storage;
  const counting = <Args extends [Statement, Params?], Result>(run: (...args: Args) => Result) =>
    (...args: Args): Result => {
      executed.push(statementFor(args[0], 'sqlite'));
      return run(...args);
    };
  const q: Queryable = {
    engine: storage.engine,
    all: counting((statement, params) => storage.all(statement, params)),
    get: counting((statement, params) => storage.get(statement, params)),
    run: counting((statement, params) => storage.run(statement, params)),
  };
  return { lookup: (input: string) => resolveLookup(q, input), executed };
}

/**
 * The plan of the chat lookup's point query, a step a line: SQLite's EXPLAIN QUERY PLAN, or PostgreSQL's
 * EXPLAIN with scans priced out (a table of a few rows is read fastest by one, whatever its indexes).
 */
const chatLookupPlan = (id: string): Promise<string[]> =>
  t.ctx.storage.transaction(async (tx) => {
    if (tx.engine === 'sqlite') return (await tx.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${lookupSql.chat}`, [id])).map((step) => step.detail);
    await tx.run('SET LOCAL enable_seqscan = off');
    return (await tx.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${lookupSql.chat}`, [id])).map((line) => line['QUERY PLAN']);
  });

const lookup = async (q: string) => {
  const res = await browser.get('/api/lookup').query({ q });
  return { status: res.status, body: res.body };
};

const expectChat = async (q: string) => {
  const { status, body } = await lookup(q);
  expect({ q, status }).toEqual({ q, status: 200 });
  expect(body).toEqual({ type: 'chat', id: world.chat.id, customer_id: world.customer.id, chat_id: world.chat.id });
  lookupResultSchema.strict().parse(body);
};

describe('GET /api/lookup', () => {
  it('finds a chat by its ID, trimmed', async () => {
    await expectChat(world.chat.id);
    await expectChat(`  \t${world.chat.id}\n `);
  });

  it('finds a chat in a URL of any shape', async () => {
    const id = world.chat.id;
    for (const url of [
      `https://studio.example.com/agents/abc/chats/${id}?tab=1`,
      `https://studio.example.com/agents/abc/chats/${id}/`,
      `https://studio.example.com/chat/${id}/runs/gen_unknown`,
      `https://x.example/chat?id=${id}`,
      `https://x.example/chat?utm_source=mail&chat=${encodeURIComponent(id)}&tab=runs`,
      `http://localhost:5173/#/agents/abc/chats/${id}?view=grid`,
      `https://studio.example.com/c/${id}#runs`,
      `studio.example.com/agents/abc/chats/${id}`,
      `//studio.example.com/chats/${id}`,
      `/agents/abc/chats/${id}`,
      encodeURIComponent(`https://studio.example.com/agents/abc/chats/${id}?tab=1`),
      `https://studio.example.com/agents/abc/chats/${id.replace(/-/g, '%2D')}`,
      `  https://studio.example.com/agents/abc/chats/${id}  `,
    ]) {
      await expectChat(url);
    }
  });

  it('finds a customer by e-mail in any case, or by id', async () => {
    const customer = { type: 'customer', id: world.customer.id, customer_id: world.customer.id };
    for (const q of ['grace.hopper@navy.example', 'GRACE.HOPPER@NAVY.EXAMPLE', ' Grace.Hopper@Navy.example ', 'cus_8Kd2']) {
      const { status, body } = await lookup(q);
      expect({ q, status, body }).toEqual({ q, status: 200, body: customer });
    }
  });

  it('finds the newest customer when an e-mail is shared', async () => {
    t.time.advance(60_000);
    const newer = await buildCustomer(t.ctx, { email: 'grace.hopper@navy.example' });
    expect((await lookup('grace.hopper@navy.example')).body).toMatchObject({ type: 'customer', id: newer.id });
  });

  it('finds a generation and a transaction by id, with their customer and chat', async () => {
    expect((await lookup(world.run.id)).body).toEqual({ type: 'generation', id: 'gen_01JD8Z', customer_id: world.customer.id, chat_id: world.chat.id });
    expect((await lookup(world.run.chargeId ?? '')).body).toEqual({
      type: 'transaction', id: world.run.chargeId, customer_id: world.customer.id, chat_id: world.chat.id,
    });
    // A purchase belongs to no chat: chat_id is left out.
    expect((await lookup(world.purchase)).body).toEqual({ type: 'transaction', id: world.purchase, customer_id: world.customer.id });
    // A run's page URL leads to the run when no part of it is a chat.
    expect((await lookup(`https://studio.example.com/runs/${world.run.id}`)).body).toMatchObject({ type: 'generation', id: world.run.id });
  });

  it('answers 404 saying what was tried', async () => {
    const id = await lookup('chat-that-does-not-exist');
    expect(id.status).toBe(404);
    expect(id.body).toEqual({
      code: 'not_found',
      message: 'No chat, customer, generation or transaction has the id "chat-that-does-not-exist". Paste a chat ID, a chat URL, a customer e-mail or an id.',
    });
    const url = await lookup('https://studio.example.com/agents/abc/chats/nope?tab=1');
    expect(url.status).toBe(404);
    expect(url.body.message).toBe(
      'Nothing matches that URL: tried its parts "nope", "chats", "abc", "agents", "1" as a chat ID, then as a customer, generation or transaction id.',
    );
    const email = await lookup('nobody@example.com');
    expect(email.status).toBe(404);
    expect(email.body.message).toMatch(/^No customer has the e-mail "nobody@example.com"/);
  });

  it('finds a chat whose ID a ticket carries in capitals, in one or two point queries on the primary key', async () => {
    const upper = world.chat.id.toUpperCase();
    await expectChat(upper);
    await expectChat(`https://studio.example.com/agents/A1/chats/${upper}?tab=1`);

    const counted = countingLookup();
    expect(await counted.lookup(world.chat.id)).toMatchObject({ type: 'chat', id: world.chat.id });
    expect(counted.executed).toEqual([lookupSql.chat]);
    counted.executed.length = 0;
    expect(await counted.lookup(upper)).toMatchObject({ type: 'chat', id: world.chat.id });
    expect(counted.executed).toEqual([lookupSql.chat, lookupSql.chat]);
    counted.executed.length = 0;
    expect(await counted.lookup(`https://studio.example.com/agents/a1/chats/${upper}`)).toMatchObject({ type: 'chat', id: world.chat.id });
    expect(counted.executed).toEqual([lookupSql.chat, lookupSql.chat]);
    const plan = await chatLookupPlan(upper);
    if (t.engine === 'sqlite') expect(plan).toEqual(['SEARCH chats USING INDEX sqlite_autoindex_chats_1 (id=?)']);
    else expect(plan).toEqual([expect.stringMatching(/^Index Scan using chats_pkey on chats /), `  Index Cond: (id = '${upper}'::text)`]);
  });

  it('finds other ids in capitals when they are stored lower-case, an exact id first', async () => {
    const lower = await buildChat(t.ctx, world.customer.id, { id: 'chat-lower' });
    const run = await buildRun(t.ctx, lower, world.customer.id, { id: 'gen_lower_case', charge: 10 });
    expect((await lookup('GEN_LOWER_CASE')).body).toMatchObject({ type: 'generation', id: run.id });
    // Stored in mixed case, an id is found as stored (and lower-cased only when that is how it is stored).
    expect((await lookup('cus_8Kd2')).body).toMatchObject({ type: 'customer', id: 'cus_8Kd2' });
    expect((await lookup('CUS_8KD2')).status).toBe(404);
    // Two chats differing only in case: each is found by its own spelling.
    const capitals = await buildChat(t.ctx, world.customer.id, { id: 'CHAT-LOWER' });
    expect((await lookup('CHAT-LOWER')).body).toMatchObject({ type: 'chat', id: capitals.id });
    expect((await lookup('chat-lower')).body).toMatchObject({ type: 'chat', id: lower.id });
  });

  it('changes nothing: a lookup writes no row', async () => {
    const counts = () => t.row('SELECT (SELECT COUNT(*) FROM audit_events) AS audit, (SELECT COUNT(*) FROM ledger_entries) AS ledger');
    const before = await counts();
    await lookup(world.chat.id.toUpperCase());
    await lookup('nobody@example.com');
    expect(await counts()).toEqual(before);
  });

  it('answers 400 for an empty, blank, missing, repeated or too long q', async () => {
    for (const path of ['/api/lookup?q=', '/api/lookup?q=%20%20%20', '/api/lookup', '/api/lookup?q=a&q=b', `/api/lookup?q=${'a'.repeat(2049)}`]) {
      const res = await browser.get(path);
      expect({ path: path.slice(0, 40), status: res.status }).toEqual({ path: path.slice(0, 40), status: 400 });
      expect(res.body).toMatchObject({ code: 'validation_failed', errors: { q: expect.any(String) } });
    }
    expect((await browser.get(`/api/lookup?q=${'a'.repeat(2048)}`)).status).toBe(404);
    expect((await browser.get('/api/lookup?q=x&also=y')).status).toBe(400);
  });
});

describe('lookupCandidates', () => {
  it('takes path segments deepest first, then query values, then a hash route', () => {
    expect(lookupCandidates('https://s.example/a/b%20c/d?x=1&y=two#/e/f?g=h')).toEqual({ url: true, ids: ['d', 'b c', 'a', '1', 'two', 'f', 'e', 'h'] });
  });

  it('keeps plain text as one candidate, and its decoded form', () => {
    expect(lookupCandidates('  abc  ')).toEqual({ url: false, ids: ['abc'] });
    expect(lookupCandidates('a%2Db')).toEqual({ url: false, ids: ['a%2Db', 'a-b'] });
    expect(lookupCandidates('bad%zz')).toEqual({ url: false, ids: ['bad%zz'] });
  });

  it('bounds the candidates of a long URL', () => {
    const url = `https://s.example/${Array.from({ length: 100 }, (_, i) => `p${i}`).join('/')}`;
    expect(lookupCandidates(url).ids).toHaveLength(16);
  });
});
