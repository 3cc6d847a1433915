import simpleRestProvider from 'ra-data-simple-rest';
import type { fetchUtils } from 'react-admin';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StaffRecord } from '../../shared/staff.ts';
import { buildStaff, createTestApp, signIn, type TestApp } from './support/testApp.ts';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.cleanup());

const value = (sql: string, ...params: unknown[]): Promise<unknown> => t.value(sql, params);

async function people() {
  const admin = await buildStaff(t.ctx, { role: 'admin', name: 'Ari Admin' });
  const lead = await buildStaff(t.ctx, { role: 'lead', name: 'Lee Lead' });
  const agent = await buildStaff(t.ctx, { role: 'agent', name: 'Ada Agent' });
  return { admin, lead, agent, as: { admin: await signIn(t.app, admin.email), lead: await signIn(t.app, lead.email), agent: await signIn(t.app, agent.email) } };
}

describe('staff administration', () => {
  it('lets an admin onboard a person with a temporary password that must be changed at first sign-in', async () => {
    const p = await people();
    const created = await p.as.admin.agent.post('/api/staff').set('X-CSRF-Token', p.as.admin.csrf).send({ email: 'New.Agent@Example.com', name: 'Nia New', role: 'agent' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'new.agent@example.com', role: 'agent', disabled: false, must_change_password: true, temporary_password: expect.stringMatching(/^[\w-]{24}$/) });
    expect(await value("SELECT action FROM audit_events WHERE entity_id = ? AND action = 'staff.created'", created.body.id)).toBe('staff.created');
    expect(JSON.stringify(await t.rows('SELECT * FROM audit_events'))).not.toContain(created.body.temporary_password);

    const newcomer = await signIn(t.app, 'new.agent@example.com', created.body.temporary_password);
    expect(newcomer.user).toMatchObject({ must_change_password: true });
    const blocked = await newcomer.agent.get('/api/customers');
    expect(blocked.status).toBe(403);
    expect(blocked.body.code).toBe('password_change_required');
    const weak = await newcomer.agent.post('/api/auth/password').set('X-CSRF-Token', newcomer.csrf).send({ current_password: created.body.temporary_password, new_password: 'short' });
    expect(weak.body.errors).toHaveProperty('new_password');
    const wrong = await newcomer.agent.post('/api/auth/password').set('X-CSRF-Token', newcomer.csrf).send({ current_password: 'not-it-at-all', new_password: 'my-own-long-password' });
    expect(wrong.body.errors).toHaveProperty('current_password');
    const changed = await newcomer.agent.post('/api/auth/password').set('X-CSRF-Token', newcomer.csrf).send({ current_password: created.body.temporary_password, new_password: 'my-own-long-password' });
    expect(changed.status).toBe(200);
    expect(changed.body.must_change_password).toBe(false);
    expect((await newcomer.agent.get('/api/customers')).status).toBe(200);
    await signIn(t.app, 'new.agent@example.com', 'my-own-long-password');
  });

  it('changes a role, disables (ending sessions) and re-enables, all audited; admins only', async () => {
    const p = await people();
    const put = (who: typeof p.as.admin, id: string, body: object) => who.agent.put(`/api/staff/${id}`).set('X-CSRF-Token', who.csrf).send(body);
    expect((await put(p.as.lead, p.agent.id, { role: 'lead' })).status).toBe(403);
    expect((await put(p.as.admin, p.agent.id, { role: 'lead' })).body).toMatchObject({ role: 'lead' });
    expect((await p.as.agent.agent.get('/api/auth/me')).body.user.role).toBe('lead');
    const disabled = await put(p.as.admin, p.agent.id, { disabled: true });
    expect(disabled.body.disabled).toBe(true);
    expect((await p.as.agent.agent.get('/api/auth/me')).status).toBe(401);
    expect((await request(t.app).post('/api/auth/login').send({ email: p.agent.email, password: 'correct-horse-battery' })).status).toBe(401);
    await put(p.as.admin, p.agent.id, { disabled: false }).expect(200);
    await signIn(t.app, p.agent.email);
    expect(await t.rows("SELECT action FROM audit_events WHERE entity_id = ? AND action LIKE 'staff.%' ORDER BY seq", [p.agent.id])).toEqual(
      [{ action: 'staff.updated' }, { action: 'staff.disabled' }, { action: 'staff.enabled' }],
    );
    expect((await put(p.as.admin, p.agent.id, { role: 'owner' })).body.errors).toHaveProperty('role');
    expect((await put(p.as.admin, p.agent.id, { password: 'x' })).status).toBe(400);
    expect((await put(p.as.admin, 'stf_nobody', { role: 'agent' })).status).toBe(404);
  });

  it('never disables or demotes the last active admin', async () => {
    const p = await people();
    const put = (body: object) => p.as.admin.agent.put(`/api/staff/${p.admin.id}`).set('X-CSRF-Token', p.as.admin.csrf).send(body);
    expect((await put({ disabled: true })).body.code).toBe('last_admin');
    expect((await put({ role: 'lead' })).body.code).toBe('last_admin');
    expect(await value('SELECT role FROM staff WHERE id = ?', p.admin.id)).toBe('admin');
    await p.as.admin.agent.put(`/api/staff/${p.lead.id}`).set('X-CSRF-Token', p.as.admin.csrf).send({ role: 'admin' }).expect(200);
    expect((await put({ role: 'lead' })).status).toBe(200);
  });

  it('leaves one active admin when the last two are demoted or disabled at once', async () => {
    const first = await buildStaff(t.ctx, { role: 'admin' });
    const second = await buildStaff(t.ctx, { role: 'admin' });
    // Started together: on SQLite both run in one batch of the storage seam, one after the other; on PostgreSQL in two
    // transactions at once, each locking every active admin's row before it checks that one remains.
    const outcomes = await Promise.allSettled([
      t.ctx.staff.update(first.id, { role: 'lead' }, { type: 'system' }),
      t.ctx.staff.update(second.id, { disabled: true }, { type: 'system' }),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({ reason: { code: 'last_admin' } });
    expect(await value("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND disabled = 0")).toBe(1);

    // The same through the API: two admins demoting each other at the same moment.
    const third = await buildStaff(t.ctx, { role: 'admin' });
    const remaining = String(await value("SELECT id FROM staff WHERE role = 'admin' AND disabled = 0 AND id <> ?", third.id));
    const remainingEmail = String(await value('SELECT email FROM staff WHERE id = ?', remaining));
    const [a, b] = [await signIn(t.app, remainingEmail), await signIn(t.app, third.email)];
    const answers = await Promise.all([
      a.agent.put(`/api/staff/${third.id}`).set('X-CSRF-Token', a.csrf).send({ role: 'agent' }),
      b.agent.put(`/api/staff/${remaining}`).set('X-CSRF-Token', b.csrf).send({ role: 'agent' }),
    ]);
    const codes = answers.map((res) => res.status).sort();
    expect(codes[0]).toBe(200);
    // The second is refused: as the last admin, or, demoted a moment before, as no admin any more.
    expect([403, 409]).toContain(codes[1]);
    expect(await value("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND disabled = 0")).toBe(1);
  });

  it('lets an admin end a person\'s sessions and reset a password', async () => {
    const p = await people();
    const ended = await p.as.admin.agent.post(`/api/staff/${p.agent.id}/end-sessions`).set('X-CSRF-Token', p.as.admin.csrf);
    expect(ended.body).toEqual({ sessions_ended: 1 });
    expect((await p.as.agent.agent.get('/api/auth/me')).status).toBe(401);
    const reset = await p.as.admin.agent.post(`/api/staff/${p.lead.id}/reset-password`).set('X-CSRF-Token', p.as.admin.csrf);
    expect(reset.body).toMatchObject({ must_change_password: true, temporary_password: expect.any(String) });
    expect((await p.as.lead.agent.get('/api/auth/me')).status).toBe(401);
    const lead = await signIn(t.app, p.lead.email, reset.body.temporary_password);
    expect(lead.user).toMatchObject({ must_change_password: true });
  });

  it('takes the whole record as react-admin\'s simple-REST provider sends it, read-only fields as they are', async () => {
    const p = await people();
    const admin = p.as.admin;
    // ra-data-simple-rest itself, its requests sent through the admin's session.
    const provider = simpleRestProvider('/api', async (url: string, options: fetchUtils.Options = {}) => {
      expect(options.method).toBe('PUT');
      const res = await admin.agent.put(url).set('X-CSRF-Token', admin.csrf).set('Content-Type', 'application/json').send(String(options.body));
      if (res.status >= 400) throw Object.assign(new Error(res.body.message), { status: res.status, body: res.body });
      return { status: res.status, headers: new Headers(), body: res.text, json: res.body };
    });
    const read = async (): Promise<StaffRecord> => (await admin.agent.get(`/api/staff/${p.agent.id}`).expect(200)).body;
    const auditCount = (): Promise<unknown> => value("SELECT COUNT(*) FROM audit_events WHERE entity_id = ? AND action LIKE 'staff.%'", p.agent.id);

    const before = await read();
    t.time.advance(60_000);
    const { data } = await provider.update('staff', { id: before.id, data: { ...before, name: 'Ada Renamed' }, previousData: before });
    expect(data).toMatchObject({ ...before, name: 'Ada Renamed', updated_at: t.ctx.clock().toISOString() });
    expect(await value('SELECT name FROM staff WHERE id = ?', p.agent.id)).toBe('Ada Renamed');
    expect(await auditCount()).toBe(1);

    // The same record sent back unchanged: nothing to write, so nothing is written.
    const current = await read();
    expect((await provider.update('staff', { id: current.id, data: current, previousData: current })).data).toEqual(current);
    expect(await auditCount()).toBe(1);

    // A read-only field changed is a 400 naming it, and nothing is written, the writable change included.
    const refusals: [keyof StaffRecord, unknown][] = [
      ['email', 'someone.else@example.com'],
      ['id', p.lead.id],
      ['must_change_password', true],
      ['created_at', '2020-01-01T00:00:00.000Z'],
      ['updated_at', before.updated_at],
    ];
    for (const [field, changed] of refusals) {
      const res = await admin.agent.put(`/api/staff/${p.agent.id}`).set('X-CSRF-Token', admin.csrf).send({ ...current, role: 'lead', [field]: changed });
      expect(res.status, field).toBe(400);
      expect(Object.keys(res.body.errors), field).toEqual([field]);
      expect(res.body.errors[field]).toMatch(/read-only/);
    }
    const twoAtOnce = await admin.agent.put(`/api/staff/${p.agent.id}`).set('X-CSRF-Token', admin.csrf).send({ ...current, email: 'x@example.com', created_at: 'then' });
    expect(Object.keys(twoAtOnce.body.errors).sort()).toEqual(['created_at', 'email']);
    // A field no staff record has is refused too, whatever else the body holds.
    const unknown = await admin.agent.put(`/api/staff/${p.agent.id}`).set('X-CSRF-Token', admin.csrf).send({ ...current, temporary_password: 'x' });
    expect(unknown.status).toBe(400);
    expect(await read()).toEqual(current);
    expect(await auditCount()).toBe(1);
  });

  it('lists staff for leads and admins with filters, never for agents', async () => {
    const p = await people();
    const list = await p.as.lead.agent.get(`/api/staff?filter=${encodeURIComponent('{"role":"agent"}')}`);
    expect(list.body.map((s: { name: string }) => s.name)).toEqual(['Ada Agent']);
    expect(list.body[0]).not.toHaveProperty('password_hash');
    expect((await p.as.lead.agent.get(`/api/staff?filter=${encodeURIComponent('{"q":"lee"}')}`)).body).toHaveLength(1);
    expect((await p.as.agent.agent.get('/api/staff')).status).toBe(403);
    expect((await p.as.lead.agent.post('/api/staff').set('X-CSRF-Token', p.as.lead.csrf).send({ email: 'x@y.z', name: 'X', role: 'agent' })).status).toBe(403);
  });
});
