import { sqliteDatabase } from '../../db/openStorage.ts';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAuditEvents } from '../../bench/auditEvents.ts';
import { openDatabase } from '../../db/connection.ts';
import { listMigrations } from '../../db/migrate.ts';
import { loadConfig } from '../../server/config.ts';
import { createContext } from '../../server/context.ts';
import { httpSignIn, startServer, type RunningServer } from './support/serverProcess.ts';
import { buildStaff, manualClock, TEST_PASSWORD } from './support/testApp.ts';

const root = join(import.meta.dirname, '..', '..');
/** Enough for the audit chain to be verified in threads (server/audit/chainVerifier.ts), which load a file of their own. */
const AUDIT_EVENTS = 50_000;

/**
 * The compiled server, as `npm start` runs it: built by the real build script
 * (into a folder of its own under dist/, where its packages resolve), started
 * with plain node from a temp folder outside the repository on a database
 * file that does not exist yet. It must find everything it reads at run time.
 */
describe('compiled server', () => {
  let outDir: string;
  let dataDir: string;
  let server: RunningServer | undefined;

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
    rmSync(outDir, { recursive: true, force: true });
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs without tsx, migrates a new database, signs in and serves the API, the media and the console', async () => {
    const main = join(outDir, 'main.mjs');
    // keepNames off: no helper that names every closure at run time.
    expect(readFileSync(main, 'utf8')).not.toContain('__name(');
    const databasePath = join(dataDir, 'fresh.db');
    server = await startServer({ DATABASE_PATH: databasePath }, { script: main, cwd: dataDir });

    const commandLine = readFileSync(`/proc/${server.child.pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    expect(commandLine).toEqual([process.execPath, '--enable-source-maps', main]);
    expect(readFileSync(`/proc/${server.child.pid}/environ`, 'utf8')).not.toMatch(/NODE_OPTIONS|tsx/);

    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, database: 'ok' });

    // Every migration of db/migrations was found and applied; a lead and a long audit chain join the running server's database.
    const db = openDatabase(databasePath);
    let leadEmail: string;
    try {
      expect(db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all()).toEqual(listMigrations().map((m) => m.version));
      const ctx = createContext(sqliteDatabase(db, databasePath), loadConfig({ DATABASE_PATH: databasePath }), manualClock().clock, pino({ level: 'silent' }));
      leadEmail = (await buildStaff(ctx, { role: 'lead' })).email;
      appendAuditEvents({ ...ctx, db }, AUDIT_EVENTS, []);
    } finally {
      db.close();
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
  });
});
