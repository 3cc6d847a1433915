import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../server/auth/passwords.ts';
import { buildStaff, createTestApp, signIn, TEST_PASSWORD, type TestApp } from './support/testApp.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

const NEW_PASSWORD = 'a-brand-new-passphrase';

interface AuditEventRow {
  action: string;
  actor_type: string;
  actor_id: string;
  entity_id: string | null;
  reason: string | null;
  after_json: string | null;
  request_id: string | null;
  client_ip: string | null;
}
const auditEvents = (): Promise<AuditEventRow[]> =>
  t.rows<AuditEventRow>('SELECT action, actor_type, actor_id, entity_id, reason, after_json, request_id, client_ip FROM audit_events ORDER BY seq');
const passwordHash = async (staffId: string): Promise<string> => {
  const hash = await t.value<string>('SELECT password_hash FROM staff WHERE id = ?', [staffId]);
  if (hash === undefined) throw new Error(`no staff ${staffId}`);
  return hash;
};
const sessionsOf = (staffId: string): Promise<number | undefined> => t.value<number>('SELECT COUNT(*) FROM sessions WHERE staff_id = ?', [staffId]);

type Browser = Awaited<ReturnType<typeof signIn>>;
const changePassword = (browser: Browser, currentPassword: string, newPassword = NEW_PASSWORD) =>
  browser.agent.post('/api/auth/password').set('X-CSRF-Token', browser.csrf).send({ current_password: currentPassword, new_password: newPassword });

describe('guessing the password through a signed-in session', () => {
  it('answers 429 with Retry-After after 5 wrong current passwords, the right one too, auditing each failure', async () => {
    const agent = await buildStaff(t.ctx, { name: 'Ada Agent' });
    const browser = await signIn(t.app, agent.email);
    const hashBefore = await passwordHash(agent.id);

    const refusals: request.Response[] = [];
    for (let i = 0; i < 5; i++) refusals.push(await changePassword(browser, `wrong-guess-${i}`));
    for (const res of refusals) {
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ code: 'validation_failed', errors: { current_password: 'is not your current password' } });
    }

    // The sixth attempt, with the right password, learns nothing: the same 429 a wrong one gets.
    const right = await changePassword(browser, TEST_PASSWORD);
    const wrong = await changePassword(browser, 'wrong-guess-6');
    for (const res of [right, wrong]) {
      expect(res.status).toBe(429);
      expect(res.body).toEqual({ code: 'rate_limited', message: expect.stringMatching(/this account/) });
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(800);
    }

    // Nothing changed: same hash, the session still there.
    expect(await passwordHash(agent.id)).toBe(hashBefore);
    expect(await verifyPassword(TEST_PASSWORD, await passwordHash(agent.id))).toBe(true);
    expect(await sessionsOf(agent.id)).toBe(1);
    await browser.agent.get('/api/auth/me').expect(200);

    // One audit event per checked failure, each tied to its request; the throttled attempts wrote none.
    const events = await auditEvents();
    expect(events.map((event) => event.action)).toEqual(['auth.login', ...Array(5).fill('auth.password_change_failed')]);
    for (const [i, event] of events.slice(1).entries()) {
      expect(event).toMatchObject({ actor_type: 'staff', actor_id: agent.id, entity_id: agent.id, reason: 'wrong current password', after_json: null });
      expect(event.request_id).toBe(refusals[i].headers['x-request-id']);
      expect(event.client_ip).toMatch(/127\.0\.0\.1$/);
    }
    // No guess leaks into the trail.
    expect(JSON.stringify(events)).not.toContain('wrong-guess');
  });

  it('counts per account: another person changes their password while one account is throttled', async () => {
    const guessed = await buildStaff(t.ctx);
    const other = await buildStaff(t.ctx);
    const thief = await signIn(t.app, guessed.email);
    const owner = await signIn(t.app, other.email);
    for (let i = 0; i < 5; i++) await changePassword(thief, `wrong-guess-${i}`).expect(400);
    await changePassword(thief, TEST_PASSWORD).expect(429);

    const changed = await changePassword(owner, TEST_PASSWORD);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: other.id, must_change_password: false });
    expect(await verifyPassword(NEW_PASSWORD, await passwordHash(other.id))).toBe(true);
    expect((await auditEvents()).map((event) => event.action).filter((action) => action.startsWith('auth.password'))).toEqual([
      ...Array(5).fill('auth.password_change_failed'),
      'auth.password_changed',
    ]);
  });

  it('does not count refusals that say nothing about the current password', async () => {
    const agent = await buildStaff(t.ctx);
    const browser = await signIn(t.app, agent.email);
    // A new password too short, eight times: refused before the current one is looked at.
    for (let i = 0; i < 8; i++) {
      const res = await changePassword(browser, TEST_PASSWORD, 'short');
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.errors)).toEqual(['new_password']);
    }
    // A forged request (no CSRF token) cannot use up the owner's attempts.
    for (let i = 0; i < 8; i++) {
      await browser.agent.post('/api/auth/password').send({ current_password: `wrong-guess-${i}`, new_password: NEW_PASSWORD }).expect(403);
    }
    expect((await auditEvents()).map((event) => event.action)).toEqual(['auth.login']);
    await changePassword(browser, TEST_PASSWORD).expect(200);
  });

  it('ends the account\'s other sessions after a change and keeps this one; other people\'s sessions stay', async () => {
    const agent = await buildStaff(t.ctx);
    const bystander = await buildStaff(t.ctx);
    const here = await signIn(t.app, agent.email);
    const elsewhere = await signIn(t.app, agent.email);
    const stranger = await signIn(t.app, bystander.email);
    expect(await sessionsOf(agent.id)).toBe(2);

    await changePassword(here, TEST_PASSWORD).expect(200);

    expect(await sessionsOf(agent.id)).toBe(1);
    expect(await sessionsOf(bystander.id)).toBe(1);
    await here.agent.get('/api/auth/me').expect(200);
    await elsewhere.agent.get('/api/auth/me').expect(401);
    await stranger.agent.get('/api/auth/me').expect(200);
    const changed = (await auditEvents()).at(-1);
    expect(changed).toMatchObject({ action: 'auth.password_changed', actor_id: agent.id, entity_id: agent.id });
    expect(JSON.parse(changed?.after_json ?? '{}')).toEqual({ other_sessions_ended: 1 });
    // The new password signs in, the old one no longer does.
    await request(t.app).post('/api/auth/login').send({ email: agent.email, password: TEST_PASSWORD }).expect(401);
    await signIn(t.app, agent.email, NEW_PASSWORD);
  });
});
