import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { defaultSubject, startOidcProvider, type TestOidcProvider } from './support/oidcProvider.ts';
import { buildStaff, createTestApp, TEST_PASSWORD, type TestApp } from './support/testApp.ts';

/**
 * Single sign-on against a real OpenID provider (oidc-provider) on loopback.
 * supertest plays the browser at the console and the provider's own helper
 * plays it at the provider, so every redirect is followed by hand and the
 * console's answers and rows are checked at each step.
 */
const CALLBACK = 'http://127.0.0.1:3000/api/auth/oidc/callback';

let op: TestOidcProvider;
let t: TestApp;

beforeAll(async () => {
  op = await startOidcProvider({ redirectUri: CALLBACK });
});
afterAll(() => op.close());

beforeEach(async () => {
  t = await createTestApp(op.env);
});
afterEach(() => t.cleanup());

const cookiesOf = (res: request.Response): string[] => ([] as string[]).concat(res.headers['set-cookie'] ?? []);
const cookieNamed = (res: request.Response, name: string): string | undefined => cookiesOf(res).find((c) => c.startsWith(`${name}=`));
const cookieValue = (cookie: string): string => decodeURIComponent(cookie.split(';')[0].slice(cookie.indexOf('=') + 1));
/** A Set-Cookie line's attributes, without the value and the expiry, which differ from one sign-in to the next. */
const cookieAttributes = (cookie: string): string[] =>
  cookie.split(';').slice(1).map((a) => a.trim()).filter((a) => !/^(max-age|expires)=/i.test(a)).sort();

const sessionCount = (app = t): Promise<number | undefined> => app.value<number>('SELECT COUNT(*) FROM sessions');
const pendingCount = (app = t): Promise<number | undefined> => app.value<number>('SELECT COUNT(*) FROM oidc_logins');
interface AuditEvent { action: string; actor_type: string; actor_id: string; entity_id: string | null; reason: string | null; after: unknown }
const auditEvents = async (app = t): Promise<AuditEvent[]> =>
  (await app.rows<Omit<AuditEvent, 'after'> & { after_json: string | null }>('SELECT action, actor_type, actor_id, entity_id, reason, after_json FROM audit_events ORDER BY seq'))
    .map(({ after_json: afterJson, ...event }) => ({ ...event, after: afterJson === null ? null : JSON.parse(afterJson) }));
const subjectOf = (staffId: string, app = t): Promise<string | null | undefined> =>
  app.value<string | null>('SELECT external_subject FROM staff WHERE id = ?', [staffId]);

interface Attempt {
  start: request.Response;
  /** The state cookie's value, as the browser would send it back. */
  handle: string;
  /** Where the provider sent the browser back: the callback URL with code, state and iss. */
  back: URL;
}

/** Leaves the console for the provider and signs in there as `email`; does not come back yet. */
async function leaveAndSignIn(email: string, app = t, provider = op): Promise<Attempt> {
  const start = await request(app.app).get('/api/auth/oidc/start');
  expect(start.status).toBe(303);
  const cookie = cookieNamed(start, 'td_oidc');
  if (!cookie) throw new Error('no state cookie');
  const back = await provider.signIn(start.headers.location, email);
  expect(back.origin + back.pathname).toBe(CALLBACK);
  return { start, handle: cookieValue(cookie), back };
}

/** Comes back to the console's callback, with the state cookie unless told otherwise. */
function comeBack(back: URL, handle: string | null, app = t) {
  const call = request(app.app).get(back.pathname + back.search);
  return handle === null ? call : call.set('Cookie', `td_oidc=${encodeURIComponent(handle)}`);
}

async function signInWithSso(email: string, app = t, provider = op) {
  const attempt = await leaveAndSignIn(email, app, provider);
  return { ...attempt, callback: await comeBack(attempt.back, attempt.handle, app) };
}

const expectRefused = (res: request.Response, code: string): void => {
  expect(res.status).toBe(303);
  expect(res.headers.location).toBe(`/#/login?sso_error=${code}`);
  expect(cookieNamed(res, 'td_session')).toBeUndefined();
};

describe('single sign-on, the whole way', () => {
  it('sends the browser to the issuer with PKCE (S256), state and nonce, keeping them server-side behind a Lax state cookie', async () => {
    const start = await request(t.app).get('/api/auth/oidc/start');
    expect(start.status).toBe(303);
    expect(start.headers['cache-control']).toBe('no-store');
    const to = new URL(start.headers.location);
    expect(`${to.origin}${to.pathname}`).toBe(`${op.issuer}/auth`);
    const params = Object.fromEntries(to.searchParams);
    expect(params).toMatchObject({ response_type: 'code', client_id: op.clientId, redirect_uri: CALLBACK, scope: 'openid email', code_challenge_method: 'S256' });
    expect(params.state).toMatch(/^[\w-]{40,}$/);
    expect(params.nonce).toMatch(/^[\w-]{40,}$/);

    const cookie = cookieNamed(start, 'td_oidc') ?? '';
    expect(cookieAttributes(cookie)).toEqual(['HttpOnly', 'Path=/api/auth/oidc', 'SameSite=Lax']);
    expect(cookie).toMatch(/Max-Age=600\b/);
    const handle = cookieValue(cookie);
    // The cookie is a bare random handle: state, nonce and verifier are only in the database, under its hash.
    const row = (await t.row<Record<string, string>>('SELECT * FROM oidc_logins')) ?? {};
    expect(row.handle_hash).toBe(createHash('sha256').update(handle).digest('hex'));
    expect(handle).not.toContain(params.state);
    expect(row).toMatchObject({ state: params.state, nonce: params.nonce });
    expect(createHash('sha256').update(row.code_verifier).digest('base64url')).toBe(params.code_challenge);
  });

  it('signs an existing staff member in: session cookie as for a password, audit with method sso, subject recorded, /me works', async () => {
    const lead = await buildStaff(t.ctx, { role: 'lead', name: 'Lee Lead', email: 'lee@example.test' });
    const { callback } = await signInWithSso('Lee@Example.test');

    expect(callback.status).toBe(303);
    expect(callback.headers.location).toBe('/#/');
    const session = cookieNamed(callback, 'td_session') ?? '';
    const password = await request(t.app).post('/api/auth/login').send({ email: lead.email, password: TEST_PASSWORD });
    expect(cookieAttributes(session)).toEqual(cookieAttributes(cookieNamed(password, 'td_session') ?? ''));
    expect(cookieAttributes(session)).toEqual(['HttpOnly', 'Path=/', 'SameSite=Strict']);
    // The state cookie is spent, and so is its row.
    expect(cookieNamed(callback, 'td_oidc')).toMatch(/Expires=Thu, 01 Jan 1970/);
    expect(await pendingCount()).toBe(0);

    const me = await request(t.app).get('/api/auth/me').set('Cookie', session.split(';')[0]);
    expect(me.status).toBe(200);
    expect(me.body).toEqual({ user: { id: lead.id, email: lead.email, name: 'Lee Lead', role: 'lead', must_change_password: false }, csrf_token: expect.any(String), studio_delivery: { push_enabled: false, feed_enabled: false }, helpdesk_ticket_url: null });
    const subject = defaultSubject('Lee@Example.test');
    expect(await subjectOf(lead.id)).toBe(subject);
    expect((await auditEvents())[0]).toEqual({
      action: 'auth.login', actor_type: 'staff', actor_id: lead.id, entity_id: lead.id, reason: null,
      after: { method: 'sso', subject, subject_linked: true },
    });
    expect((await auditEvents())[1].after).toEqual({ method: 'password' });
  });

  it('signs the same person in again with the recorded subject, in a new session', async () => {
    const lead = await buildStaff(t.ctx, { role: 'lead' });
    const first = await signInWithSso(lead.email);
    const second = await signInWithSso(lead.email);
    expect(second.callback.headers.location).toBe('/#/');
    expect(cookieValue(cookieNamed(second.callback, 'td_session') ?? '')).not.toBe(cookieValue(cookieNamed(first.callback, 'td_session') ?? ''));
    expect((await auditEvents()).map((e) => e.after)).toEqual([
      { method: 'sso', subject: defaultSubject(lead.email), subject_linked: true },
      { method: 'sso', subject: defaultSubject(lead.email) },
    ]);
  });

  it('takes the e-mail from the ID token when the provider puts it there', async () => {
    const inToken = await startOidcProvider({ redirectUri: CALLBACK, claimsInIdToken: true });
    const app = await createTestApp(inToken.env);
    try {
      const agent = await buildStaff(app.ctx, { email: 'ada@example.test' });
      const { callback } = await signInWithSso(agent.email, app, inToken);
      expect(callback.headers.location).toBe('/#/');
      expect(await sessionCount(app)).toBe(1);
    } finally {
      await app.cleanup();
      await inToken.close();
    }
  });
});

describe('who may not sign in', () => {
  it('refuses an e-mail no staff account uses, and audits it: no self-sign-up', async () => {
    const { callback } = await signInWithSso('Stranger@Example.test');
    expectRefused(callback, 'not_staff');
    expect(await sessionCount()).toBe(0);
    expect(await t.value('SELECT COUNT(*) FROM staff')).toBe(0);
    expect(await auditEvents()).toEqual([{
      action: 'auth.login_failed', actor_type: 'anonymous', actor_id: 'stranger@example.test', entity_id: null, reason: 'unknown e-mail',
      after: { method: 'sso', subject: defaultSubject('Stranger@Example.test') },
    }]);
  });

  it('refuses a disabled account, and audits it', async () => {
    const disabled = await buildStaff(t.ctx, { disabled: true });
    const { callback } = await signInWithSso(disabled.email);
    expectRefused(callback, 'account_disabled');
    expect(await sessionCount()).toBe(0);
    expect(await subjectOf(disabled.id)).toBeNull();
    expect(await auditEvents()).toMatchObject([{ action: 'auth.login_failed', entity_id: disabled.id, reason: 'account disabled' }]);
  });

  it('refuses an e-mail outside OIDC_EMAIL_DOMAIN even for an existing account, and lets the domain in', async () => {
    const domain = await createTestApp({ ...op.env, OIDC_EMAIL_DOMAIN: 'tokendesk.test' });
    try {
      const outsider = await buildStaff(domain.ctx, { email: 'ada@example.test' });
      const insider = await buildStaff(domain.ctx, { email: 'lee@tokendesk.test' });
      expectRefused((await signInWithSso(outsider.email, domain)).callback, 'email_domain');
      // A look-alike domain is another domain.
      expectRefused((await signInWithSso('lee@tokendesk.test.evil.example', domain)).callback, 'email_domain');
      expect(await sessionCount(domain)).toBe(0);
      expect((await auditEvents(domain)).map((e) => e.reason)).toEqual(['e-mail domain example.test not allowed', 'e-mail domain tokendesk.test.evil.example not allowed']);

      expect((await signInWithSso('LEE@TokenDesk.test', domain)).callback.headers.location).toBe('/#/');
      expect(await subjectOf(insider.id, domain)).toBe(defaultSubject('LEE@TokenDesk.test'));
    } finally {
      await domain.cleanup();
    }
  });

  it('refuses an e-mail the provider says it has not verified', async () => {
    const agent = await buildStaff(t.ctx);
    op.setAccount({ email: agent.email, sub: 'unverified-sub', email_verified: false });
    const { callback } = await signInWithSso(agent.email);
    expectRefused(callback, 'email_unverified');
    expect(await sessionCount()).toBe(0);
    expect(await subjectOf(agent.id)).toBeNull();
    expect(await auditEvents()).toMatchObject([{ action: 'auth.login_failed', reason: 'e-mail not verified by the identity provider' }]);
  });

  it('refuses an e-mail the provider does not say it verified: no email_verified claim, at userinfo or in the ID token', async () => {
    const agent = await buildStaff(t.ctx);
    op.setAccount({ email: agent.email, sub: 'silent-sub', email_verified: null });
    expectRefused((await signInWithSso(agent.email)).callback, 'email_unverified');
    expect(await sessionCount()).toBe(0);
    expect(await subjectOf(agent.id)).toBeNull();
    expect(await auditEvents()).toEqual([{
      action: 'auth.login_failed', actor_type: 'anonymous', actor_id: agent.email, entity_id: agent.id,
      reason: 'the identity provider did not say the e-mail is verified', after: { method: 'sso', subject: 'silent-sub' },
    }]);

    const inToken = await startOidcProvider({ redirectUri: CALLBACK, claimsInIdToken: true });
    const app = await createTestApp(inToken.env);
    try {
      const lead = await buildStaff(app.ctx, { role: 'lead' });
      inToken.setAccount({ email: lead.email, email_verified: null });
      expectRefused((await signInWithSso(lead.email, app, inToken)).callback, 'email_unverified');
      expect(await sessionCount(app)).toBe(0);
      expect(await subjectOf(lead.id, app)).toBeNull();
      expect(await auditEvents(app)).toMatchObject([{ action: 'auth.login_failed', entity_id: lead.id, reason: 'the identity provider did not say the e-mail is verified' }]);
    } finally {
      await app.cleanup();
      await inToken.close();
    }
  });

  it('refuses an account linked to another subject, and a subject linked to another account', async () => {
    const linked = await buildStaff(t.ctx);
    await t.run("UPDATE staff SET external_subject = 'someone-else' WHERE id = ?", [linked.id]);
    expectRefused((await signInWithSso(linked.email)).callback, 'subject_mismatch');
    expect(await subjectOf(linked.id)).toBe('someone-else');

    // The provider now vouches for another address with the subject `linked` holds.
    const other = await buildStaff(t.ctx);
    op.setAccount({ email: other.email, sub: 'someone-else' });
    expectRefused((await signInWithSso(other.email)).callback, 'subject_mismatch');
    expect(await subjectOf(other.id)).toBeNull();

    expect(await sessionCount()).toBe(0);
    expect((await auditEvents()).map((e) => [e.action, e.entity_id, e.reason])).toEqual([
      ['auth.login_failed', linked.id, 'account is linked to another single sign-on subject'],
      ['auth.login_failed', other.id, 'single sign-on subject is linked to another account'],
    ]);
  });
});

describe('a callback that does not belong to this browser', () => {
  it('refuses a callback without the state cookie, or with a made-up one', async () => {
    const agent = await buildStaff(t.ctx);
    const { back, handle } = await leaveAndSignIn(agent.email);
    expectRefused(await comeBack(back, null), 'expired');
    expectRefused(await comeBack(back, 'made-up-handle'), 'expired');
    expectRefused(await comeBack(back, `${handle.slice(0, -2)}xx`), 'expired');
    expect(await sessionCount()).toBe(0);
    expect(await pendingCount()).toBe(1);
    expect(await auditEvents()).toEqual([]);
  });

  it('refuses a state that does not match the attempt, and spends the attempt', async () => {
    const agent = await buildStaff(t.ctx);
    const { back, handle } = await leaveAndSignIn(agent.email);
    const tampered = new URL(back);
    tampered.searchParams.set('state', 'x'.repeat(43));
    expectRefused(await comeBack(tampered, handle), 'failed');
    expect(await pendingCount()).toBe(0);
    // The untouched answer cannot be used after that either.
    expectRefused(await comeBack(back, handle), 'expired');
    expect(await sessionCount()).toBe(0);
    expect(await subjectOf(agent.id)).toBeNull();
  });

  it("refuses another browser's answer (login CSRF): the code and state belong to a different attempt", async () => {
    const victim = await buildStaff(t.ctx);
    const attacker = await buildStaff(t.ctx);
    const victimAttempt = await leaveAndSignIn(victim.email);
    const attackerAttempt = await leaveAndSignIn(attacker.email);
    expectRefused(await comeBack(attackerAttempt.back, victimAttempt.handle), 'failed');
    expect(await sessionCount()).toBe(0);
  });

  it('checks the ID token nonce and sends the PKCE verifier of the stored attempt', async () => {
    const agent = await buildStaff(t.ctx);
    const wrongNonce = await leaveAndSignIn(agent.email);
    await t.run("UPDATE oidc_logins SET nonce = 'not-the-nonce-in-the-id-token'");
    expectRefused(await comeBack(wrongNonce.back, wrongNonce.handle), 'failed');

    const wrongVerifier = await leaveAndSignIn(agent.email);
    await t.run(`UPDATE oidc_logins SET code_verifier = '${'v'.repeat(43)}'`);
    expectRefused(await comeBack(wrongVerifier.back, wrongVerifier.handle), 'failed');

    expect(await sessionCount()).toBe(0);
    expect(await subjectOf(agent.id)).toBeNull();
  });

  it('refuses a replayed callback, and a reused code even under a fresh state', async () => {
    const agent = await buildStaff(t.ctx);
    const first = await signInWithSso(agent.email);
    expect(first.callback.headers.location).toBe('/#/');

    expectRefused(await comeBack(first.back, first.handle), 'expired');

    // A new attempt whose state the old code is dressed up with: the provider refuses the spent code.
    const fresh = await request(t.app).get('/api/auth/oidc/start');
    const freshState = new URL(fresh.headers.location).searchParams.get('state') ?? '';
    const reused = new URL(first.back);
    reused.searchParams.set('state', freshState);
    expectRefused(await comeBack(reused, cookieValue(cookieNamed(fresh, 'td_oidc') ?? '')), 'failed');

    expect(await sessionCount()).toBe(1);
    expect((await auditEvents()).map((e) => e.action)).toEqual(['auth.login']);
  });

  it('refuses an attempt older than 10 minutes', async () => {
    const agent = await buildStaff(t.ctx);
    const { back, handle } = await leaveAndSignIn(agent.email);
    t.time.advance(10 * 60_000 + 1);
    expectRefused(await comeBack(back, handle), 'expired');
    expect(await sessionCount()).toBe(0);
  });

  it('goes back to the login page when the provider reports an error', async () => {
    const { start, handle } = await leaveAndSignIn('whoever@example.test');
    const state = new URL(start.headers.location).searchParams.get('state') ?? '';
    const denied = new URL(CALLBACK);
    denied.search = new URLSearchParams({ error: 'access_denied', state, iss: op.issuer }).toString();
    expectRefused(await comeBack(denied, handle), 'denied');
    expect(await sessionCount()).toBe(0);
  });
});

async function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

describe('when single sign-on cannot work', () => {
  it('answers 503 with a clear message while the issuer is unreachable, and stores nothing', async () => {
    const down = await createTestApp({ ...op.env, OIDC_ISSUER: `http://127.0.0.1:${await closedPort()}` });
    try {
      const res = await request(down.app).get('/api/auth/oidc/start');
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ code: 'unavailable', message: expect.stringMatching(/identity provider cannot be reached/) });
      expect(cookieNamed(res, 'td_oidc')).toBeUndefined();
      expect(await pendingCount(down)).toBe(0);
    } finally {
      await down.cleanup();
    }
  });

  it('answers 503 when the issuer goes down between start and callback, and opens no session', async () => {
    const flaky = await startOidcProvider({ redirectUri: CALLBACK });
    const app = await createTestApp(flaky.env);
    try {
      const agent = await buildStaff(app.ctx);
      const { back, handle } = await leaveAndSignIn(agent.email, app, flaky);
      await flaky.close();
      const res = await comeBack(back, handle, app);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('unavailable');
      expect(await sessionCount(app)).toBe(0);
      expect(await auditEvents(app)).toEqual([]);
    } finally {
      await app.cleanup();
    }
  });

  it('refuses a plain-http issuer that is not on loopback, saying why', async () => {
    const clear = await createTestApp({ ...op.env, OIDC_ISSUER: 'http://id.example.test' });
    try {
      const res = await request(clear.app).get('/api/auth/oidc/start');
      expect(res.status).toBe(503);
      expect(res.body.message).toMatch(/OIDC_ISSUER must be an https URL/);
    } finally {
      await clear.cleanup();
    }
  });

  it('answers 404 on the single sign-on routes when OIDC is not configured, and says so in /methods', async () => {
    const off = await createTestApp();
    try {
      for (const path of ['/api/auth/oidc/start', '/api/auth/oidc/callback?code=x&state=y']) {
        const res = await request(off.app).get(path);
        expect(res.status).toBe(404);
        expect(res.body.code).toBe('not_found');
      }
      expect((await request(off.app).get('/api/auth/methods')).body).toEqual({ password: true, sso: false });
    } finally {
      await off.cleanup();
    }
  });

  it('throttles starts per address with 429 and Retry-After', async () => {
    for (let i = 0; i < 60; i++) expect((await request(t.app).get('/api/auth/oidc/start')).status).toBe(303);
    const res = await request(t.app).get('/api/auth/oidc/start');
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('60');
  });
});

describe('with password sign-in turned off', () => {
  it('refuses passwords with 403 and still signs in through single sign-on', async () => {
    const ssoOnly = await createTestApp({ ...op.env, PASSWORD_LOGIN: 'off' });
    try {
      const lead = await buildStaff(ssoOnly.ctx, { role: 'lead' });
      expect((await request(ssoOnly.app).get('/api/auth/methods')).body).toEqual({ password: false, sso: true });
      const password = await request(ssoOnly.app).post('/api/auth/login').send({ email: lead.email, password: TEST_PASSWORD });
      expect(password.status).toBe(403);
      expect(password.body.code).toBe('password_login_disabled');

      const { callback } = await signInWithSso(lead.email, ssoOnly);
      expect(callback.headers.location).toBe('/#/');
      const me = await request(ssoOnly.app).get('/api/auth/me').set('Cookie', (cookieNamed(callback, 'td_session') ?? '').split(';')[0]);
      expect(me.body.user.id).toBe(lead.id);
      expect((await auditEvents(ssoOnly)).map((e) => e.action)).toEqual(['auth.login']);
    } finally {
      await ssoOnly.cleanup();
    }
  });
});
