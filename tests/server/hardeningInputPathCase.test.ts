import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEMO_INGEST_SECRET } from '../../server/config.ts';
import { signBody } from '../../server/ingest/signature.ts';
import { creditOps } from './support/creditOps.ts';
import { creditWorld } from './support/credits.ts';
import { postEvents, scenario } from './support/ingest.ts';
import { createTestApp, type TestApp } from './support/testApp.ts';

let t: TestApp;
let w: Awaited<ReturnType<typeof creditWorld>>;
const SHELL = '<!doctype html><title>Token Desk</title><div id="root"></div>';
beforeEach(async () => {
  t = await createTestApp();
  w = await creditWorld(t.app, t.ctx);
  // A built SPA where the test app looks for one (no-client in the test's folder, which holds its DATABASE_PATH
  // on either engine), so a path that is not the API gets the shell.
  const clientDir = join(t.dir, 'no-client');
  mkdirSync(clientDir);
  writeFileSync(join(clientDir, 'index.html'), SHELL);
});
afterEach(() => t.cleanup());

const tables = ['customers', 'chats', 'generations', 'ledger_entries', 'credits', 'audit_events', 'ingest_events', 'ingest_held', 'sessions'];
/** Every row of the tables, each table's rows sorted (PostgreSQL returns rows in no set order). */
const fingerprint = async (): Promise<string> =>
  JSON.stringify(await Promise.all(tables.map(async (table) => (await t.rows(`SELECT * FROM ${table}`)).map((row) => JSON.stringify(row)).sort())));

const apiHeaders = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

describe('the API answers only under /api, spelled in lower case', () => {
  it('serves /api/customers with the API headers (the control)', async () => {
    const res = await w.as.lead.agent.get('/api/customers');
    expect(res.status).toBe(200);
    expect(res.text).toContain(w.customer.id);
    expect(res.headers).toMatchObject(apiHeaders);
  });

  it.each(['/API/customers', '/Api/customers', '/aPI/customers', `/API/customers/{customer}`, '/Api/credits/export.csv', '/API/audit/export.csv', '/API/auth/me'])(
    'never answers API data at %s: it is the SPA shell, with the page headers',
    async (pattern) => {
      await creditOps(t.ctx, w.people.agent.id).create(w.customer.id, [{ generation_id: w.runs.succeeded.id, tokens: 120 }], 'applied');
      const path = pattern.replace('{customer}', w.customer.id);
      const before = await fingerprint();
      const res = await w.as.lead.agent.get(path);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.text).toBe(SHELL);
      // The page headers: the shell may be revalidated, never the API's no-store.
      expect(res.headers['cache-control']).toBe('no-cache');
      expect(await fingerprint()).toBe(before);
    },
  );

  it.each(['/api/CUSTOMERS', '/api/Credits', '/api/credits/Export.csv', '/api/AUDIT/verify', '/api/reports/Studio-delivery'])(
    'matches API paths exactly: %s is an unknown API route, not data',
    async (path) => {
      const res = await w.as.lead.agent.get(path);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'not_found' });
      expect(res.headers['cache-control']).toBe('no-store');
    },
  );

  it('never takes a signed ingest batch at /API/ingest/events, writing nothing', async () => {
    const before = await fingerprint();
    const body = JSON.stringify({ events: scenario() });
    const signature = signBody(DEMO_INGEST_SECRET, body, Math.floor(t.ctx.clock().getTime() / 1000));
    const res = await request(t.app).post('/API/ingest/events').set('Content-Type', 'application/json').set('X-Signature', signature).send(body);
    expect(res.status).toBe(404);
    expect(await fingerprint()).toBe(before);
    // The same batch at the real path is taken: the test sends what the studio would.
    expect((await postEvents(t.app, scenario())).body).toMatchObject({ accepted: 11 });
  });
});

describe('a NUL character (%00) in an API path or query', () => {
  it('is a 400 on url before any route reads it, on reads and changes alike, and changes nothing', async () => {
    const before = await fingerprint();
    const lead = w.as.lead;
    const answers = [
      await lead.agent.get('/api/customers/%00'),
      await lead.agent.get('/api/lookup?q=chat%00'),
      await lead.agent.get(`/api/credits/eligibility?generation_ids=${w.runs.succeeded.id}%00`),
      await lead.agent.post('/api/credits/crd%00/void').set('X-CSRF-Token', lead.csrf).send({ reason: 'Wrong account' }),
    ];
    for (const [i, res] of answers.entries()) {
      expect(res.status, `request ${i}`).toBe(400);
      expect(res.body, `request ${i}`).toMatchObject({ code: 'validation_failed', errors: { url: 'must not contain a NUL character (%00)' } });
    }
    expect(await fingerprint()).toBe(before);
  });

  it('is refused as well without a session; the studio feed answers its own token check first', async () => {
    const anonymous = await request(t.app).get('/api/customers/%00');
    expect(anonymous.status).toBe(400);
    expect(anonymous.body.errors).toEqual({ url: 'must not contain a NUL character (%00)' });
    // The feed is off in this app (no STUDIO_FEED_TOKEN): 404 before the URL is looked at.
    expect((await request(t.app).get('/api/studio/credit-events?after=%00')).status).toBe(404);
  });
});
