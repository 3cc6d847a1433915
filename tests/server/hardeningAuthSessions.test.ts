import { afterEach, describe, expect, it } from 'vitest';
import { buildStaff, createTestApp, signIn, type TestApp } from './support/testApp.ts';

let t: TestApp | undefined;
afterEach(() => t?.cleanup());

const lastSeen = async (app: TestApp): Promise<string[]> => (await app.rows<{ last_seen_at: string }>('SELECT last_seen_at FROM sessions')).map((row) => row.last_seen_at);

describe('the idle limit of a session in use', () => {
  it('with SESSION_IDLE_MINUTES=1 keeps a session used every 20 seconds for minutes, and ends it after a 61-second gap', async () => {
    t = await createTestApp({ SESSION_IDLE_MINUTES: '1' });
    const agent = await buildStaff(t.ctx);
    const { agent: browser } = await signIn(t.app, agent.email);
    for (let step = 1; step <= 15; step++) {
      t.time.advance(20_000);
      await browser.get('/api/auth/me').expect(200);
      // Seen often enough that the idle window never closes on a session in use.
      expect(t.ctx.clock().getTime() - Date.parse((await lastSeen(t))[0])).toBeLessThan(15_000);
    }
    t.time.advance(61_000);
    const res = await browser.get('/api/auth/me');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('not_authenticated');
    expect(await lastSeen(t)).toEqual([]);
  });

  it('with the default 30 minutes still writes last_seen_at at most once a minute', async () => {
    t = await createTestApp();
    const agent = await buildStaff(t.ctx);
    const { agent: browser } = await signIn(t.app, agent.email);
    const signedInAt = t.ctx.clock().toISOString();
    for (let step = 0; step < 2; step++) {
      t.time.advance(20_000);
      await browser.get('/api/auth/me').expect(200);
    }
    expect(await lastSeen(t)).toEqual([signedInAt]);
    t.time.advance(20_000);
    await browser.get('/api/auth/me').expect(200);
    expect(await lastSeen(t)).toEqual([t.ctx.clock().toISOString()]);
  });
});
