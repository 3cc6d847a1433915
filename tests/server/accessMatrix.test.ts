import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role } from '../../shared/roles.ts';
import { creditBody, creditWorld, postCredit } from './support/credits.ts';
import { buildStaff, createTestApp, signIn, type TestApp } from './support/testApp.ts';

/**
 * Every route of the API, called as anonymous, agent, lead, admin and a
 * disabled account: only the allowed answers come back (docs/api.md, docs/domain.md).
 */
type Who = 'anonymous' | Role | 'disabled';
interface Route {
  method: 'get' | 'post' | 'put';
  path: string;
  /** Roles that pass the access checks; the rest get 403 (anonymous and disabled: 401). */
  allowed: Role[];
  body?: object;
}

let t: TestApp;
let w: Awaited<ReturnType<typeof creditWorld>>;
let sessions: Record<Exclude<Who, 'anonymous'>, { agent: request.Agent; csrf: string }>;
let routes: Route[];

const everyone: Role[] = ['agent', 'lead', 'admin'];
const leads: Role[] = ['lead', 'admin'];
const admins: Role[] = ['admin'];

beforeAll(async () => {
  t = await createTestApp();
  w = await creditWorld(t.app, t.ctx);
  const disabledPerson = await buildStaff(t.ctx, { role: 'admin' });
  const disabled = await signIn(t.app, disabledPerson.email);
  // Disabled behind the session's back (as if by another process): the session must still be refused.
  await t.run('UPDATE staff SET disabled = 1 WHERE id = ?', [disabledPerson.id]);
  sessions = { agent: w.as.agent, lead: w.as.lead, admin: w.as.admin, disabled };
  const pending = await postCredit(w.as.agent, creditBody(w.customer.id, [{ generation_id: w.runs.second.id, tokens: 80 }], { reason: 'goodwill', items: [], amount: 80 }));
  const audit = await t.value<number>('SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 1');
  if (audit === undefined) throw new Error('the world has no audit event');
  const f = (filter: object): string => encodeURIComponent(JSON.stringify(filter));
  routes = [
    { method: 'get', path: '/api/auth/me', allowed: everyone },
    { method: 'post', path: '/api/auth/password', allowed: everyone, body: {} },
    { method: 'get', path: '/api/lookup?q=nothing-matches', allowed: everyone },
    ...['customers', 'chats', 'generations', 'transactions', 'assets', 'credits'].map((r): Route => ({ method: 'get', path: `/api/${r}`, allowed: everyone })),
    { method: 'get', path: `/api/customers/${w.customer.id}`, allowed: everyone },
    { method: 'get', path: `/api/chats/${w.chat.id}`, allowed: everyone },
    { method: 'get', path: `/api/generations/${w.runs.succeeded.id}`, allowed: everyone },
    { method: 'get', path: `/api/transactions/${w.runs.succeeded.chargeId}`, allowed: everyone },
    { method: 'get', path: `/api/credits/${pending.body.id}`, allowed: everyone },
    { method: 'get', path: `/api/credits/eligibility?generation_ids=${w.runs.succeeded.id}`, allowed: everyone },
    { method: 'post', path: '/api/credits', allowed: everyone, body: {} },
    { method: 'post', path: `/api/credits/${pending.body.id}/approve`, allowed: leads },
    { method: 'post', path: `/api/credits/${pending.body.id}/reject`, allowed: leads, body: {} },
    { method: 'post', path: `/api/credits/${pending.body.id}/void`, allowed: leads, body: {} },
    { method: 'post', path: `/api/credits/${pending.body.id}/delivery/retry`, allowed: leads },
    { method: 'post', path: '/api/studio/delivery/retry-given-up', allowed: admins },
    { method: 'get', path: '/api/reports/studio-delivery', allowed: leads },
    { method: 'get', path: '/api/reports/ingest-held', allowed: leads },
    { method: 'get', path: '/api/credits/export.csv', allowed: leads },
    { method: 'get', path: '/api/audit', allowed: leads },
    { method: 'get', path: `/api/audit?filter=${f({ entity_id: pending.body.id })}`, allowed: leads },
    { method: 'get', path: `/api/audit?filter=${f({ customer_id: w.customer.id })}`, allowed: everyone },
    // One customer's trail at a time for agents: a list of ids is every customer's trail in one call.
    { method: 'get', path: `/api/audit?filter=${f({ customer_id: [w.customer.id] })}`, allowed: leads },
    { method: 'get', path: `/api/audit/${audit}`, allowed: leads },
    { method: 'get', path: '/api/audit/verify', allowed: leads },
    { method: 'get', path: '/api/audit/export.csv', allowed: leads },
    { method: 'get', path: `/api/audit/export.csv?filter=${f({ customer_id: w.customer.id })}`, allowed: leads },
    { method: 'get', path: '/api/reports/credits', allowed: leads },
    { method: 'get', path: '/api/reports/refunds', allowed: leads },
    { method: 'get', path: '/api/reports/anomalies', allowed: leads },
    { method: 'get', path: '/api/reports/decisions?since=2026-11-01', allowed: everyone },
    { method: 'get', path: '/api/staff', allowed: leads },
    { method: 'get', path: `/api/staff/${w.people.agent.id}`, allowed: leads },
    { method: 'post', path: '/api/staff', allowed: admins, body: {} },
    { method: 'put', path: `/api/staff/${w.people.agent.id}`, allowed: admins, body: { nonsense: true } },
    { method: 'post', path: `/api/staff/${w.people.lead2.id}/end-sessions`, allowed: admins },
    { method: 'post', path: `/api/staff/stf_nobody/reset-password`, allowed: admins },
    { method: 'get', path: '/api/policy', allowed: everyone },
    { method: 'put', path: '/api/policy', allowed: admins, body: {} },
    // Last: it ends the session the pass was using.
    { method: 'post', path: '/api/auth/logout', allowed: everyone },
  ];
});
afterAll(() => t.cleanup());

function call(route: Route, who: Who) {
  const session = who === 'anonymous' ? undefined : sessions[who];
  const client = session ? session.agent : request(t.app);
  let req = client[route.method](route.path);
  if (session && route.method !== 'get') req = req.set('X-CSRF-Token', session.csrf);
  return route.body ? req.send(route.body) : req;
}

describe('authorization matrix', () => {
  for (const who of ['anonymous', 'disabled', 'agent', 'lead', 'admin'] as const) {
    it(`answers ${who} only what ${who} may have`, async () => {
      for (const route of routes) {
        const res = await call(route, who);
        const label = `${who} ${route.method.toUpperCase()} ${route.path} → ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`;
        if (who === 'anonymous' || who === 'disabled') {
          expect(res.status, label).toBe(401);
          expect(res.body.code, label).toBe('not_authenticated');
        } else if (route.allowed.includes(who)) {
          expect([401, 403], label).not.toContain(res.status);
          expect(res.status, label).toBeLessThan(500);
        } else {
          expect(res.status, label).toBe(403);
          expect(res.body.code, label).toBe('forbidden');
        }
      }
    });
  }

  it('keeps the ingestion route closed to sessions: only a valid signature opens it', async () => {
    for (const who of ['anonymous', 'agent', 'admin'] as const) {
      const route: Route = { method: 'post', path: '/api/ingest/events', allowed: [], body: { events: [] } };
      const res = await call(route, who);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('bad_signature');
    }
  });

  it('keeps the studio\'s feed and the metrics closed to sessions: only their bearer tokens open them', async () => {
    const feed = await createTestApp({ STUDIO_FEED_TOKEN: 'f'.repeat(40), METRICS_TOKEN: 'm'.repeat(40) });
    try {
      const admin = await buildStaff(feed.ctx, { role: 'admin' });
      const session = await signIn(feed.app, admin.email);
      for (const path of ['/api/studio/credit-events', '/metrics']) {
        for (const client of [request(feed.app), session.agent]) {
          const res = await client.get(path);
          expect(res.status, path).toBe(401);
          expect(res.body.code, path).toBe('not_authenticated');
        }
      }
      expect((await request(feed.app).get('/api/studio/credit-events').set('Authorization', `Bearer ${'f'.repeat(40)}`)).status).toBe(200);
      expect((await request(feed.app).get('/metrics').set('Authorization', `Bearer ${'m'.repeat(40)}`)).status).toBe(200);
      // Each token opens its own door only.
      expect((await request(feed.app).get('/metrics').set('Authorization', `Bearer ${'f'.repeat(40)}`)).status).toBe(401);
    } finally {
      await feed.cleanup();
    }
  });

  it('answers health checks and the sign-in methods to anyone, and has no single sign-on routes unless configured', async () => {
    expect((await request(t.app).get('/healthz')).status).toBe(200);
    expect((await request(t.app).get('/api/auth/methods')).body).toMatchObject({ password: true, sso: false });
    expect((await request(t.app).get('/api/auth/oidc/start')).status).toBe(404);
    expect((await request(t.app).get('/api/auth/oidc/callback?code=x&state=y')).status).toBe(404);
  });
});
