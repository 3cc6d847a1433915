import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConfiguredDatabase } from '../../db/openStorage.ts';
import { startServer, type RunningServer } from './support/serverProcess.ts';
import { openTestDatabase, type TestDatabase } from './support/testApp.ts';

let database: TestDatabase;
const running: RunningServer[] = [];

beforeAll(async () => {
  database = await openTestDatabase();
  // The servers open the database alone.
  await database.release();
});

afterAll(async () => {
  for (const server of running) {
    server.child.kill();
    await server.exited;
  }
  await database.cleanup();
});

const start = async (): Promise<RunningServer> => {
  const server = await startServer(database.env);
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

    const opened = await openConfiguredDatabase({ path: database.env.DATABASE_PATH ?? '', url: database.env.DATABASE_URL ?? null });
    try {
      expect(await opened.storage.all("SELECT hits FROM throttle_counters WHERE key = 'login-account:account:victim@example.test'")).toEqual([{ hits: 6 }]);
    } finally {
      await opened.close();
    }

    first.child.kill();
    await first.exited;
    const restarted = await start();
    expect((await signIn(restarted.url, email)).status).toBe(429);
    expect((await signIn(restarted.url, 'someone-else@example.test')).status).toBe(401);
  }, 60_000);
});
