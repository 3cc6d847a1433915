import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations } from '../../db/migrate.ts';
import { openConfiguredDatabase } from '../../db/openStorage.ts';
import { postgresMigrationsDir } from '../../db/postgres/migrate.ts';
import { loadConfig } from '../../server/config.ts';
import { createContext, type AppContext } from '../../server/context.ts';
import { httpSignIn, startServer, type RunningServer } from './support/serverProcess.ts';
import { buildStaff, manualClock, TEST_PASSWORD, testEngine } from './support/testApp.ts';

const root = join(import.meta.dirname, '..', '..');
/** Enough for the audit chain to be verified in threads (server/audit/chainVerifier.ts), which load a file of their own. */
const AUDIT_EVENTS = 50_000;

/**
 * A database the server has not seen: a file that does not exist yet in `dir`, or on PostgreSQL an
 * empty database (made like the suite's others by tests/support/postgres.ts, imported only there as
 * that module needs the PostgreSQL run). `drop` deletes the PostgreSQL one; the file goes with `dir`.
 */
async function newDatabase(dir: string): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (testEngine === 'postgres') {
    const { freshDatabase } = await import('../support/postgres.ts');
    const fresh = await freshDatabase({ migrated: false });
    return { env: { DATABASE_URL: fresh.url }, drop: () => fresh.drop() };
  }
  return { env: { DATABASE_PATH: join(dir, 'fresh.db') }, drop: async () => {} };
}

/**
 * Appends `count` chained audit events of the shape a credit request writes, through the app's own
 * audit log (so the chain is the current code's), in one transaction (as bench/auditEvents.ts does on SQLite).
 */
async function appendAuditEvents(ctx: AppContext, count: number): Promise<void> {
  await ctx.storage.transaction(async (tx) => {
    for (let done = 0; done < count; done++) {
      await ctx.audit.append(tx, {
        actor: { type: 'staff', id: 'bench', name: 'Bench Lead' },
        action: 'credit.requested',
        entityType: 'credit',
        entityId: `bench-credit-${done}`,
        customerId: null,
        after: { status: 'applied', amount: 100 + (done % 900), reason: 'off_prompt', ticket_ref: `BENCH-${done}`, items: [{ generation_id: `bench-run-${done}`, tokens: 100 }] },
        origin: { requestId: `bench-${done}`, clientIp: '127.0.0.1' },
      });
    }
  });
}

/**
 * The compiled server, as `npm start` runs it: built by the real build script
 * (into a folder of its own under dist/, where its packages resolve), started
 * with plain node from a temp folder outside the repository on a database
 * it has never seen (a file that does not exist yet, or an empty PostgreSQL
 * database). It must find everything it reads at run time.
 */
describe('compiled server', () => {
  let outDir: string;
  let dataDir: string;
  let server: RunningServer | undefined;
  let database: Awaited<ReturnType<typeof newDatabase>> | undefined;

  beforeAll(async () => {
    mkdirSync(join(root, 'dist'), { recursive: true });
    outDir = mkdtempSync(join(root, 'dist', 'test-server-'));
    dataDir = mkdtempSync(join(tmpdir(), 'td-compiled-'));
    const build = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts', 'buildServer.ts'), '--outdir', outDir], { cwd: root, encoding: 'utf8' });
    expect(build.status, build.stderr).toBe(0);
  }, 30_000);

  afterAll(async () => {
    if (server && server.child.exitCode === null) {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    await database?.drop();
    rmSync(outDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Two minutes at most: appending the chain one event at a time takes some 20 s on PostgreSQL (three queries an event).
  it('runs without tsx, migrates a new database, signs in and serves the API, the media and the console', async () => {
    const main = join(outDir, 'main.mjs');
    // keepNames off: no helper that names every closure at run time.
    expect(readFileSync(main, 'utf8')).not.toContain('__name(');
    database = await newDatabase(dataDir);
    server = await startServer(database.env, { script: main, cwd: dataDir });

    const commandLine = readFileSync(`/proc/${server.child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(commandLine).toEqual([process.execPath, '--enable-source-maps', main]);
    expect(readFileSync(`/proc/${server.child.pid}/environ`, 'utf8')).not.toMatch(/NODE_OPTIONS|tsx/);

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, database: 'ok' });

    // Every migration of db/migrations (db/migrations/postgres) was found and applied: opening the database again
    // applies none. A lead and a long audit chain join the running server's database.
    const { env } = database;
    const opened = await openConfiguredDatabase({ path: env.DATABASE_PATH ?? '', url: env.DATABASE_URL ?? null });
    let leadEmail: string;
    try {
      expect(opened.applied).toEqual([]);
      const migrations = listMigrations(opened.engine === 'postgres' ? postgresMigrationsDir : undefined);
      expect(await opened.storage.all('SELECT version FROM schema_migrations ORDER BY version')).toEqual(migrations.map((m) => ({ version: m.version })));
      const ctx = createContext(opened, loadConfig({ ...env, LOG_LEVEL: 'silent' }), manualClock().clock, pino({ level: 'silent' }));
      leadEmail = (await buildStaff(ctx, { role: 'lead' })).email;
      await appendAuditEvents(ctx, AUDIT_EVENTS);
    } finally {
      await opened.close();
    }

    const session = await httpSignIn(server.url, leadEmail, TEST_PASSWORD);
    const me = await fetch(`${server.url}/api/auth/me`, { headers: { cookie: session.cookie } });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ user: { email: leadEmail, role: 'lead' } });

    const chain = await fetch(`${server.url}/api/audit/verify`, { headers: { cookie: session.cookie } });
    expect(chain.status).toBe(200);
    // The appended events and the sign-in's own.
    expect(await chain.json()).toMatchObject({ ok: true, checked: AUDIT_EVENTS + 1 });

    const media = await fetch(`${server.url}/media/image-01.png`);
    expect(media.status).toBe(200);
    expect(media.headers.get('content-type')).toBe('image/png');

    const page = await fetch(`${server.url}/`);
    if (existsSync(join(root, 'client', 'dist', 'index.html'))) {
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } else {
      expect(page.status).toBe(503);
      expect(await page.text()).toContain('npm run build');
    }

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
  }, 120_000);
});
