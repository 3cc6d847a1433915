import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { buildStaff, createTestApp, TEST_PASSWORD, type TestApp } from './support/testApp.ts';

// supertest connects from 127.0.0.1: with TRUST_PROXY=loopback the test itself is the trusted proxy.
const CLIENT_A = '203.0.113.7';
const CLIENT_B = '198.51.100.23';

let t: TestApp | undefined;
afterEach(() => t?.cleanup());

const failSignIn = (app: TestApp['app'], email: string, forwardedFor: string) =>
  request(app).post('/api/auth/login').set('X-Forwarded-For', forwardedFor).send({ email, password: 'wrong-password-x' });

const failureAddresses = async (app: TestApp): Promise<string[]> =>
  (await app.rows<{ client_ip: string }>("SELECT DISTINCT client_ip FROM audit_events WHERE action = 'auth.login_failed'")).map((row) => row.client_ip);

describe('sign-in throttling behind a reverse proxy', () => {
  it('with TRUST_PROXY=loopback counts per client address the proxy reports: one client locked out, the next one not', async () => {
    t = await createTestApp({ TRUST_PROXY: 'loopback' });
    for (let i = 0; i < 30; i++) expect((await failSignIn(t.app, `nobody${i}@example.test`, CLIENT_A)).status).toBe(401);
    const locked = await failSignIn(t.app, 'nobody-more@example.test', CLIENT_A);
    expect(locked.status).toBe(429);
    expect(locked.body.message).toMatch(/this address/);

    // Another staff member behind the same proxy still signs in, and still gets a 401 (not a 429) for a typo.
    const colleague = await buildStaff(t.ctx);
    expect((await failSignIn(t.app, colleague.email, CLIENT_B)).status).toBe(401);
    const signedIn = await request(t.app).post('/api/auth/login').set('X-Forwarded-For', CLIENT_B).send({ email: colleague.email, password: TEST_PASSWORD });
    expect(signedIn.status).toBe(200);

    // The audit trail and the session record the client, not the proxy.
    expect((await failureAddresses(t)).sort()).toEqual([CLIENT_B, CLIENT_A].sort());
    expect(await t.rows("SELECT client_ip FROM audit_events WHERE action = 'auth.login'")).toEqual([{ client_ip: CLIENT_B }]);
    expect(await t.rows('SELECT client_ip FROM sessions')).toEqual([{ client_ip: CLIENT_B }]);
    expect(await t.value("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.login_failed' AND client_ip = ?", [CLIENT_A])).toBe(30);
  }, 60_000);

  it('believes only the proxies it trusts: a client address forwarded by an untrusted hop is not taken', async () => {
    t = await createTestApp({ TRUST_PROXY: '10.0.0.0/8, 192.0.2.1' });
    await failSignIn(t.app, 'nobody@example.test', CLIENT_A).expect(401);
    // The socket (127.0.0.1) is not a trusted proxy, so what it forwards is ignored.
    expect(await failureAddresses(t)).toEqual([expect.stringMatching(/127\.0\.0\.1$/)]);
  });

  it('with TRUST_PROXY unset, a spoofed X-Forwarded-For counts for nothing: varying it does not escape the per-address limit', async () => {
    t = await createTestApp();
    for (let i = 0; i < 30; i++) expect((await failSignIn(t.app, `nobody${i}@example.test`, `198.51.100.${i}`)).status).toBe(401);
    const locked = await failSignIn(t.app, 'nobody-more@example.test', CLIENT_B);
    expect(locked.status).toBe(429);
    expect(locked.body.message).toMatch(/this address/);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    // Every failure is recorded from the socket's address; no forwarded value got in.
    expect(await failureAddresses(t)).toEqual([expect.stringMatching(/127\.0\.0\.1$/)]);
    expect(await t.value("SELECT COUNT(*) FROM audit_events WHERE action = 'auth.login_failed'")).toBe(30);
  }, 60_000);
});
