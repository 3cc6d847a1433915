import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { creditOps } from './support/creditOps.ts';
import { creditBody, creditWorld, freshKey, type SignedIn } from './support/credits.ts';
import { postEvents, scenario } from './support/ingest.ts';
import { createTestApp, TEST_PASSWORD, type TestApp } from './support/testApp.ts';

let t: TestApp;
let w: Awaited<ReturnType<typeof creditWorld>>;
beforeEach(async () => {
  t = await createTestApp();
  w = await creditWorld(t.app, t.ctx);
});
afterEach(() => t.cleanup());

/** JSON text of objects nested `levels` deep, written out: building it as a value would overflow JSON.stringify. */
const nestedObjects = (levels: number): string => '{"a":'.repeat(levels - 1) + '{}' + '}'.repeat(levels - 1);
const nestedArrays = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);

/** `body` as JSON text with one more field holding `nested`. */
const withField = (body: object, nested: string): string => `${JSON.stringify(body).slice(0, -1)},"extra":${nested}}`;

const tables = ['customers', 'chats', 'generations', 'assets', 'ledger_entries', 'credits', 'credit_items', 'staff', 'audit_events',
  'idempotency_keys', 'ingest_events', 'ingest_held', 'credit_policy', 'credit_events', 'sessions'];
/** Every row of the tables, each table's rows sorted (PostgreSQL returns rows in no set order). */
const fingerprint = async (): Promise<string> =>
  JSON.stringify(await Promise.all(tables.map(async (table) => (await t.rows(`SELECT * FROM ${table}`)).map((row) => JSON.stringify(row)).sort())));

const tooDeep = {
  code: 'validation_failed',
  message: 'The request body nests objects or arrays deeper than 32 levels.',
  errors: { body: 'nests objects or arrays deeper than 32 levels' },
};

const send = (who: SignedIn, method: 'post' | 'put', path: string, text: string, key?: string) => {
  const req = who.agent[method](path).set('X-CSRF-Token', who.csrf).set('Content-Type', 'application/json');
  return (key === undefined ? req : req.set('Idempotency-Key', key)).send(text);
};

describe('JSON bodies nested too deep', () => {
  it('refuses a credit whose unknown field nests 10,000 deep with 400 naming the body, writing nothing', async () => {
    const body = creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]);
    for (const nested of [nestedObjects(10_000), nestedArrays(10_000)]) {
      const before = await fingerprint();
      const res = await send(w.as.agent, 'post', '/api/credits', withField(body, nested), freshKey());
      expect(res.status).toBe(400);
      expect(res.body).toEqual(tooDeep);
      expect(await fingerprint()).toBe(before);
    }
  });

  it('counts the levels: 32 pass, 33 are refused', async () => {
    const body = creditBody(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }]);
    // The body itself is the first level, so its field holds 31 more.
    const refused = await send(w.as.agent, 'post', '/api/credits', withField(body, nestedArrays(32)), freshKey());
    expect(refused.status).toBe(400);
    expect(refused.body).toEqual(tooDeep);
    expect(await t.value('SELECT COUNT(*) FROM credits')).toBe(0);
    const accepted = await send(w.as.agent, 'post', '/api/credits', withField(body, nestedArrays(31)), freshKey());
    expect(accepted.status).toBe(201);
  });

  it('refuses deep bodies on every other route that reads one, writing nothing', async () => {
    const ops = creditOps(t.ctx, w.people.agent.id);
    const pending = await ops.create(w.customer.id, [{ generation_id: w.runs.second.id, tokens: 80 }], 'pending_approval');
    const applied = await ops.create(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], 'applied');
    const deep = nestedObjects(10_000);
    const cases: [SignedIn, 'post' | 'put', string, object][] = [
      [w.as.lead, 'post', `/api/credits/${pending}/reject`, { reason: 'Not a fault of the run' }],
      [w.as.lead, 'post', `/api/credits/${applied}/void`, { reason: 'Credited the wrong customer' }],
      [w.as.admin, 'post', '/api/staff', { email: 'new.agent@example.test', name: 'New Agent', role: 'agent' }],
      [w.as.admin, 'put', `/api/staff/${w.people.agent.id}`, { name: 'Renamed' }],
      [w.as.admin, 'put', '/api/policy', { approval_threshold: 1, agent_daily_limit: 1, lead_approval_threshold: 1, goodwill_requires_approval: true, refund_grace_minutes: 1 }],
      [w.as.agent, 'post', '/api/auth/password', { current_password: TEST_PASSWORD, new_password: 'another-long-password' }],
    ];
    for (const [who, method, path, body] of cases) {
      const before = await fingerprint();
      const res = await send(who, method, path, withField(body, deep));
      expect(res.status, path).toBe(400);
      expect(res.body, path).toEqual(tooDeep);
      expect(await fingerprint(), path).toBe(before);
    }
    const before = await fingerprint();
    const login = await request(t.app).post('/api/auth/login').set('Content-Type', 'application/json')
      .send(withField({ email: w.people.agent.email, password: TEST_PASSWORD }, deep));
    expect(login.status).toBe(400);
    expect(login.body).toEqual(tooDeep);
    expect(await fingerprint()).toBe(before);
  });

  it('refuses a signed ingest batch nesting deeper than 32 levels with 400 naming the body, writing nothing', async () => {
    const before = await fingerprint();
    const events = scenario().slice(0, 3);
    for (const nested of [nestedObjects(10_000), nestedArrays(33)]) {
      const rawBody = `{"events":[${events.map((event) => withField(event, nested)).join(',')}]}`;
      const res = await postEvents(t.app, [], { rawBody });
      expect(res.status).toBe(400);
      expect(res.body).toEqual(tooDeep);
      expect(await fingerprint()).toBe(before);
    }
  });
});
