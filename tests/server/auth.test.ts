import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildStaff, createTestApp, signIn, TEST_PASSWORD, type TestApp } from './support/testApp.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

const auditActions = async (): Promise<string[]> => (await t.rows<{ action: string }>('SELECT action FROM audit_events ORDER BY seq')).map((e) => e.action);
const sessionCount = (): Promise<number | undefined> => t.value<number>('SELECT COUNT(*) FROM sessions');
const sessionHashes = async (): Promise<string[]> => (await t.rows<{ id_hash: string }>('SELECT id_hash FROM sessions')).map((s) => s.id_hash);
const sessionCookie = (res: request.Response): string => {
  const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
  const cookie = cookies.find((c) => c.startsWith('td_session='));
  if (!cookie) throw new Error('no session cookie');
  return cookie;
};

describe('sign-in', () => {
  it('answers the user and a CSRF token, sets an HttpOnly SameSite=Strict cookie and audits the sign-in', async () => {
    const lead = await buildStaff(t.ctx, { role: 'lead', name: 'Lee Lead' });
    const res = await request(t.app).post('/api/auth/login').send({ email: lead.email.toUpperCase(), password: TEST_PASSWORD });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { id: lead.id, email: lead.email, name: 'Lee Lead', role: 'lead', must_change_password: false }, csrf_token: expect.any(String), studio_delivery: { push_enabled: false, feed_enabled: false }, helpdesk_ticket_url: null });
    const cookie = sessionCookie(res);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    const token = cookie.split(';')[0].split('=')[1];
    expect(Buffer.from(decodeURIComponent(token), 'base64url').length).toBeGreaterThanOrEqual(16);
    // Only the hash of the session id is stored.
    const stored = await sessionHashes();
    expect(stored).toHaveLength(1);
    expect(stored[0]).not.toContain(token);
    expect(await auditActions()).toEqual(['auth.login']);
    expect(res.headers['x-request-id']).toBeTruthy();
    expect(await t.value('SELECT request_id FROM audit_events')).toBe(res.headers['x-request-id']);
  });

  it('refuses a wrong password, an unknown e-mail and a disabled account alike, auditing each failure', async () => {
    const agent = await buildStaff(t.ctx);
    const disabled = await buildStaff(t.ctx, { disabled: true });
    const attempts = [
      { email: agent.email, password: 'wrong-password-123' },
      { email: 'nobody@example.test', password: TEST_PASSWORD },
      { email: disabled.email, password: TEST_PASSWORD },
    ];
    for (const body of attempts) {
      const res = await request(t.app).post('/api/auth/login').send(body);
      expect(res.status).toBe(401);
      expect(res.body).toEqual({ code: 'invalid_credentials', message: expect.stringMatching(/wrong/) });
      expect(res.headers['set-cookie']).toBeUndefined();
    }
    expect(await auditActions()).toEqual(['auth.login_failed', 'auth.login_failed', 'auth.login_failed']);
    expect((await t.rows<{ reason: string }>('SELECT reason FROM audit_events ORDER BY seq')).map((e) => e.reason)).toEqual(['wrong password', 'unknown e-mail', 'account disabled']);
    expect(await sessionCount()).toBe(0);
  });

  it('answers 400 naming the field for a malformed body, and writes nothing', async () => {
    const res = await request(t.app).post('/api/auth/login').send({ email: 'not-an-email' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('validation_failed');
    expect(Object.keys(res.body.errors)).toEqual(['email', 'password']);
    const broken = await request(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send('{"email":');
    expect(broken.status).toBe(400);
    expect(broken.body).toMatchObject({ code: 'validation_failed', errors: { body: 'is not valid JSON' } });
    expect(await auditActions()).toEqual([]);
  });

  it('rotates the session id at every sign-in, ending the old session', async () => {
    const agent = await buildStaff(t.ctx);
    const { agent: browser } = await signIn(t.app, agent.email);
    const first = await t.value('SELECT id_hash FROM sessions');
    await browser.post('/api/auth/login').send({ email: agent.email, password: TEST_PASSWORD }).expect(200);
    const after = await sessionHashes();
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(first);
  });

  it('is refused when password sign-in is turned off', async () => {
    const off = await createTestApp({ PASSWORD_LOGIN: 'off', OIDC_ISSUER: 'https://id.example.test', OIDC_CLIENT_ID: 'c', OIDC_CLIENT_SECRET: 's' });
    try {
      const agent = await buildStaff(off.ctx);
      const res = await request(off.app).post('/api/auth/login').send({ email: agent.email, password: TEST_PASSWORD });
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('password_login_disabled');
    } finally {
      await off.cleanup();
    }
  });
});

describe('sessions', () => {
  it('me answers the session, logout needs the CSRF token and ends the session', async () => {
    const agent = await buildStaff(t.ctx, { name: 'Ada Agent' });
    const { agent: browser, csrf } = await signIn(t.app, agent.email);
    const me = await browser.get('/api/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: { id: agent.id, email: agent.email, name: 'Ada Agent', role: 'agent', must_change_password: false }, csrf_token: csrf, studio_delivery: { push_enabled: false, feed_enabled: false }, helpdesk_ticket_url: null });

    const forged = await browser.post('/api/auth/logout');
    expect(forged.status).toBe(403);
    expect(forged.body.code).toBe('csrf_failed');
    const wrong = await browser.post('/api/auth/logout').set('X-CSRF-Token', 'x'.repeat(csrf.length));
    expect(wrong.status).toBe(403);
    expect(await sessionCount()).toBe(1);

    await browser.post('/api/auth/logout').set('X-CSRF-Token', csrf).expect(204);
    expect(await sessionCount()).toBe(0);
    expect((await browser.get('/api/auth/me')).status).toBe(401);
    expect(await auditActions()).toEqual(['auth.login', 'auth.logout']);
  });

  it('answers 401 without a live session on every API route', async () => {
    for (const [method, path] of [['get', '/api/auth/me'], ['get', '/api/customers'], ['post', '/api/credits'], ['get', '/api/nothing-here']] as const) {
      const res = await request(t.app)[method](path);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('not_authenticated');
    }
    const bogus = await request(t.app).get('/api/auth/me').set('Cookie', 'td_session=forged-value');
    expect(bogus.status).toBe(401);
  });

  it('ends a session idle for 30 minutes', async () => {
    const agent = await buildStaff(t.ctx);
    const { agent: browser } = await signIn(t.app, agent.email);
    t.time.advance(29 * 60_000);
    await browser.get('/api/auth/me').expect(200);
    t.time.advance(29 * 60_000);
    await browser.get('/api/auth/me').expect(200);
    t.time.advance(30 * 60_000);
    await browser.get('/api/auth/me').expect(401);
    expect(await sessionCount()).toBe(0);
  });

  it('ends a session 12 hours after sign-in, however busy', async () => {
    const agent = await buildStaff(t.ctx);
    const { agent: browser } = await signIn(t.app, agent.email);
    for (let hour = 0; hour < 47; hour++) {
      t.time.advance(15 * 60_000);
      await browser.get('/api/auth/me').expect(200);
    }
    t.time.advance(15 * 60_000);
    await browser.get('/api/auth/me').expect(401);
  });

  it('ends the sessions of an account when it is disabled', async () => {
    const agent = await buildStaff(t.ctx);
    const { agent: browser } = await signIn(t.app, agent.email);
    const result = await t.ctx.staff.disable(agent.email, { type: 'system' });
    expect(result.sessionsEnded).toBe(1);
    await browser.get('/api/auth/me').expect(401);
    expect(await auditActions()).toEqual(['auth.login', 'staff.disabled']);
  });

  it('treats a signed-in unknown API route as 404 in the error shape', async () => {
    const agent = await buildStaff(t.ctx);
    const { agent: browser } = await signIn(t.app, agent.email);
    const res = await browser.get('/api/nothing-here');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ code: 'not_found', message: expect.stringContaining('/nothing-here') });
  });
});

describe('health and the SPA shell', () => {
  it('answers /healthz without a session', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true, database: 'ok' });
  });

  it('sends security headers and a Content-Security-Policy', async () => {
    const res = await request(t.app).get('/healthz');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('sends API answers, errors included, the stricter API headers: nothing loads, frames, sniffs or caches', async () => {
    for (const path of ['/api/auth/me', '/api/lookup?q=x', '/api/no-such-route']) {
      const res = await request(t.app).get(path);
      expect(res.status).toBe(401);
      expect(res.headers).toMatchObject({
        'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
      });
      expect(res.headers['x-powered-by']).toBeUndefined();
      expect(res.headers['strict-transport-security']).toBeUndefined();
    }
  });

  it('asks browsers for HTTPS only in production, on pages and API answers alike', async () => {
    const production = await createTestApp({ NODE_ENV: 'production', INGEST_SECRET: 'a-production-ingest-secret-of-some-length', STUDIO_FEED_TOKEN: 'a-production-feed-token-of-some-length' });
    try {
      for (const path of ['/healthz', '/api/auth/me']) {
        const res = await request(production.app).get(path);
        expect(res.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      }
    } finally {
      await production.cleanup();
    }
  });

  it('explains that the SPA is not built when client/dist is missing', async () => {
    const res = await request(t.app).get('/some/page');
    expect(res.status).toBe(503);
    expect(res.text).toMatch(/npm run build/);
  });

  it('answers 404 in the error shape for a missing media file', async () => {
    const res = await request(t.app).get('/media/does-not-exist.png');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('not_found');
  });
});

describe('sign-in throttling', () => {
  it('answers 429 with Retry-After after 5 failed sign-ins for one account, even with the right password', async () => {
    const agent = await buildStaff(t.ctx);
    for (let i = 0; i < 5; i++) {
      expect((await request(t.app).post('/api/auth/login').send({ email: agent.email, password: 'wrong-password-x' })).status).toBe(401);
    }
    const blocked = await request(t.app).post('/api/auth/login').send({ email: agent.email, password: TEST_PASSWORD });
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual({ code: 'rate_limited', message: expect.stringMatching(/this account/) });
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(800);
    expect(await sessionCount()).toBe(0);
    // Every failure was audited; the throttled attempt changed nothing else.
    expect(await auditActions()).toEqual(Array(5).fill('auth.login_failed'));
    // Another account from the same address is not locked out.
    const other = await buildStaff(t.ctx);
    expect((await request(t.app).post('/api/auth/login').send({ email: other.email, password: TEST_PASSWORD })).status).toBe(200);
  });

  it('does not count successful sign-ins', async () => {
    const agent = await buildStaff(t.ctx);
    for (let i = 0; i < 8; i++) await request(t.app).post('/api/auth/login').send({ email: agent.email, password: TEST_PASSWORD }).expect(200);
  });

  it('throttles one address across accounts after 30 failures', async () => {
    for (let i = 0; i < 30; i++) await request(t.app).post('/api/auth/login').send({ email: `nobody${i}@example.test`, password: 'wrong-password-x' });
    const res = await request(t.app).post('/api/auth/login').send({ email: 'someone@example.test', password: 'wrong-password-x' });
    expect(res.status).toBe(429);
    expect(res.body.message).toMatch(/this address/);
  }, 30_000);
});

describe('demo media', () => {
  it('serves the demo images and videos, and nothing else from the folder', async () => {
    const image = await request(t.app).get('/media/image-01.png');
    expect(image.status).toBe(200);
    expect(image.headers['content-type']).toBe('image/png');
    expect((await request(t.app).get('/media/video-01.mp4')).headers['content-type']).toBe('video/mp4');
    expect((await request(t.app).get('/media/README.md')).status).toBe(404);
    expect((await request(t.app).get('/media/..%2Fmain.ts')).status).toBe(404);
  });
});
