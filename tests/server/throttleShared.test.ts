import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from './support/serverProcess.ts';

const dir = mkdtempSync(join(tmpdir(), 'td-throttle-'));
const path = join(dir, 'desk.db');
const running: RunningServer[] = [];

afterAll(async () => {
  for (const server of running) {
    server.child.kill();
    await server.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

const start = async (): Promise<RunningServer> => {
  const server = await startServer({ DATABASE_PATH: path });
  running.push(server);
  return server;
};

const signIn = (url: string, email: string) =>
  fetch(`${url}/api/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ email, password: 'wrong-password-x' }) });

describe('sign-in throttling shared through the database', () => {
  it('counts the failures of one account on two instances together, and a restart forgets none', async () => {
    const first = await start();
    const second = await start();
    const email = 'victim@example.test';

    for (const server of [first, second, first, second, first]) expect((await signIn(server.url, email)).status).toBe(401);
    const blocked = await signIn(second.url, email);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(800);

    const db = new Database(path, { readonly: true });
    try {
      expect(db.prepare("SELECT hits FROM throttle_counters WHERE key = 'login-account:account:victim@example.test'").get()).toEqual({ hits: 6 });
    } finally {
      db.close();
    }

    first.child.kill();
    await first.exited;
    const restarted = await start();
    expect((await signIn(restarted.url, email)).status).toBe(429);
    expect((await signIn(restarted.url, 'someone-else@example.test')).status).toBe(401);
  }, 60_000);
});
