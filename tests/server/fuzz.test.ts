import fc from 'fast-check';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postEvents } from './support/ingest.ts';
import { creditWorld } from './support/credits.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

/**
 * Generated malformed requests against every route: never a 5xx, always the
 * error shape of docs/api.md, and no change to the database for any 4xx.
 */
const FEED_TOKEN = 'fuzz-feed-token-0123456789-abcdefghij';
let t: TestApp;
let w: Awaited<ReturnType<typeof creditWorld>>;
beforeAll(async () => {
  t = createTestApp({ STUDIO_FEED_TOKEN: FEED_TOKEN });
  w = await creditWorld(t.app, t.ctx);
});
afterAll(() => t.cleanup());

const tables = ['customers', 'chats', 'generations', 'assets', 'ledger_entries', 'credits', 'credit_items', 'staff', 'audit_events',
  'idempotency_keys', 'ingest_events', 'ingest_held', 'credit_policy', 'credit_events'];

/** Every row of every table but sessions (the test database is small). */
function fingerprint(): string {
  return JSON.stringify(tables.map((table) => t.db.prepare(`SELECT * FROM ${table}`).all()));
}

/** Lone surrogates cannot travel in a header or URL at all: the client would refuse before sending. */
const wellFormed = (text: string): string => text.replace(/[\uD800-\uDFFF]/g, '?');

const fingerprintWithoutAudit = (): string =>
  JSON.stringify(tables.filter((table) => table !== 'audit_events').map((table) => t.db.prepare(`SELECT * FROM ${table}`).all()));

const routes: { method: 'get' | 'post' | 'put'; path: string }[] = [
  { method: 'get', path: '/api/lookup' },
  ...['customers', 'chats', 'generations', 'transactions', 'assets', 'credits', 'audit', 'staff'].map((r) => ({ method: 'get' as const, path: `/api/${r}` })),
  { method: 'get', path: '/api/customers/{id}' },
  { method: 'get', path: '/api/generations/{id}' },
  { method: 'get', path: '/api/credits/{id}' },
  { method: 'get', path: '/api/audit/{id}' },
  { method: 'get', path: '/api/credits/eligibility' },
  { method: 'post', path: '/api/credits' },
  { method: 'post', path: '/api/credits/{id}/approve' },
  { method: 'post', path: '/api/credits/{id}/reject' },
  { method: 'post', path: '/api/credits/{id}/void' },
  { method: 'post', path: '/api/credits/{id}/delivery/retry' },
  { method: 'post', path: '/api/studio/delivery/retry-given-up' },
  { method: 'get', path: '/api/reports/studio-delivery' },
  { method: 'get', path: '/api/credits/export.csv' },
  { method: 'get', path: '/api/audit/export.csv' },
  { method: 'get', path: '/api/reports/credits' },
  { method: 'get', path: '/api/reports/refunds' },
  { method: 'get', path: '/api/reports/anomalies' },
  { method: 'post', path: '/api/staff' },
  { method: 'put', path: '/api/staff/{id}' },
  { method: 'post', path: '/api/staff/{id}/end-sessions' },
  { method: 'put', path: '/api/policy' },
  { method: 'post', path: '/api/auth/password' },
];

const nasty = fc.oneof(
  fc.string(),
  fc.constantFrom('', ' ', '0', '-1', '1e309', 'null', '[]', '{}', '{"a":', "' OR 1=1 --", '"; DROP TABLE credits; --', '../../etc/passwd',
    '<script>alert(1)</script>', 'javascript:alert(1)', '\u0000', '\uD800', 'é'.repeat(300), 'x'.repeat(5000), '[0,99999999999]', '["id","SIDEWAYS"]'),
  fc.json(),
);
const idArb = fc.oneof(nasty, fc.constantFrom('crd_x', '1', '999999999999999999999'));
const queryArb = fc.dictionary(fc.constantFrom('filter', 'range', 'sort', 'q', 'generation_ids', 'from', 'to', 'group_by', 'x', 'filter[0]', 'after', 'limit'), nasty, { maxKeys: 4 });
const bodyArb = fc.oneof(
  fc.jsonValue(),
  fc.record({
    customer_id: nasty, items: fc.oneof(fc.jsonValue(), fc.array(fc.record({ generation_id: nasty, tokens: fc.oneof(fc.integer(), fc.double(), nasty) }))),
    amount: fc.oneof(fc.integer(), fc.double(), nasty), reason: nasty, ticket_ref: nasty, expected: nasty, received: nasty, note: nasty,
    email: nasty, name: nasty, role: nasty, disabled: fc.jsonValue(), approval_threshold: fc.jsonValue(), current_password: nasty, new_password: nasty,
  }, { requiredKeys: [] }),
);

describe('fuzzing every route', () => {
  it('never answers 5xx, always uses the error shape, and changes nothing on a 4xx', async () => {
    const who = [w.as.agent, w.as.lead, w.as.admin];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes), fc.nat(2), idArb, queryArb, bodyArb, fc.boolean(), fc.option(nasty, { nil: undefined }),
        async (route, person, id, query, body, rawBody, idempotencyKey) => {
          const session = who[person];
          const path = route.path.replace('{id}', encodeURIComponent(wellFormed(String(id))));
          const before = fingerprint();
          let req = session.agent[route.method](path).query(query).set('X-CSRF-Token', session.csrf);
          if (idempotencyKey !== undefined) req = req.set('Idempotency-Key', encodeURIComponent(wellFormed(idempotencyKey)).slice(0, 300));
          const json = JSON.stringify(body) ?? 'null';
          const res = route.method === 'get' ? await req : await req.set('Content-Type', 'application/json').send(rawBody ? json.slice(0, -1) : json);
          const label = `${route.method} ${path} ${JSON.stringify(query)} → ${res.status} ${res.text.slice(0, 200)}`;
          expect(res.status, label).toBeLessThan(500);
          if (res.status >= 400) {
            expect(res.body, label).toMatchObject({ code: expect.any(String), message: expect.any(String) });
            if (res.body.errors !== undefined) expect(typeof res.body.errors, label).toBe('object');
            expect(fingerprint(), label).toBe(before);
          }
        },
      ),
      { numRuns: 400 },
    );
  }, 120_000);

  it('never answers 5xx to malformed sign-ins or ingestion, and changes nothing but the audit of failed sign-ins', async () => {
    await fc.assert(
      fc.asyncProperty(bodyArb, fc.array(fc.oneof(fc.jsonValue(), fc.record({ id: nasty, type: fc.oneof(nasty, fc.constantFrom('tokens.credit_applied', 'tokens.credit_voided')), occurred_at: nasty, data: fc.jsonValue() })), { maxLength: 5 }), async (body, events) => {
        const login = await request(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send(JSON.stringify(body) ?? 'null');
        expect(login.status).toBeLessThan(500);
        expect([400, 401, 429]).toContain(login.status);
        const before = fingerprintWithoutAudit();
        const ingest = await postEvents(t.app, events);
        expect(ingest.status).toBeLessThan(500);
        if (ingest.status === 200) expect(ingest.body.rejected.length + ingest.body.accepted + ingest.body.duplicates).toBeGreaterThanOrEqual(0);
        else expect(fingerprintWithoutAudit()).toBe(before);
      }),
      { numRuns: 100 },
    );
  }, 120_000);

  it('never answers 5xx to malformed feed requests, with or without the token, and changes nothing on a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(queryArb, fc.option(nasty, { nil: undefined }), async (query, token) => {
        const before = fingerprint();
        const auth = token === undefined ? `Bearer ${FEED_TOKEN}` : `Bearer ${encodeURIComponent(wellFormed(token))}`;
        const res = await request(t.app).get('/api/studio/credit-events').query(query).set('Authorization', auth);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.body).toMatchObject({ code: expect.any(String), message: expect.any(String) });
          expect(fingerprint()).toBe(before);
        }
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
