import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { verifyPassword } from '../../server/auth/passwords.ts';
import { buildChat, buildCustomer, buildRun } from './support/builders.ts';
import { runCli } from './support/cli.ts';
import { buildStaff, createTestApp, onSqlite, signIn, type TestApp } from './support/testApp.ts';

let t: TestApp;
let env: Record<string, string>;
beforeEach(async () => {
  t = await createTestApp();
  env = t.databaseEnv;
});
afterEach(() => t.cleanup());

/** The test's temporary folder: it holds DATABASE_PATH on either engine (the unused file's on PostgreSQL). */
const testDir = (): string => t.dir;

/**
 * A database no migration has touched, of the suite's engine: a file that does not exist yet, or on
 * PostgreSQL an empty database (made like the suite's others by tests/support/postgres.ts, imported
 * only there as that module needs the PostgreSQL run). `drop` deletes it; the file goes with the test's folder.
 */
async function newDatabase(): Promise<{ env: Record<string, string>; drop: () => Promise<void> }> {
  if (t.engine === 'postgres') {
    const { freshDatabase } = await import('../support/postgres.ts');
    const fresh = await freshDatabase({ migrated: false });
    return { env: { DATABASE_URL: fresh.url }, drop: () => fresh.drop() };
  }
  return { env: { DATABASE_PATH: join(testDir(), 'fresh', 'new.db') }, drop: async () => {} };
}

/**
 * runCli (support/cli.ts) without blocking this process while the tool runs, for a test whose app
 * still has work going after its last answer (a sign-in's throttle count): with spawnSync that work
 * would wait, its PostgreSQL connection timing out, until the tool exits.
 */
function runCliAlongside(script: string, args: string[], toolEnv: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const root = join(import.meta.dirname, '..', '..');
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'server', 'cli', script), ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'silent', ...toolEnv },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

/** Some ledger and audit history, committed to the database the tools open. */
async function history(): Promise<{ customerId: string }> {
  const customer = await buildCustomer(t.ctx, { balance: 500 });
  const chat = await buildChat(t.ctx, customer.id);
  await buildRun(t.ctx, chat, customer.id, { charge: 40 });
  await buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 60, autoRefund: true });
  for (let i = 0; i < 3; i++) {
    await t.ctx.storage.transaction((tx) => t.ctx.audit.append(tx, { actor: { type: 'system' }, action: 'test.event', entityType: 'thing', after: { i } }));
  }
  return { customerId: customer.id };
}

describe('npm run migrate', () => {
  it('applies migrations to a new database, then reports it up to date', async () => {
    const fresh = await newDatabase();
    try {
      const first = runCli('migrate.ts', [], fresh.env);
      expect(first).toMatchObject({ status: 0, stdout: expect.stringMatching(/applied migration/) });
      expect(runCli('migrate.ts', [], fresh.env).stdout).toMatch(/up to date/);
    } finally {
      await fresh.drop();
    }
  });

  it('stops with a message naming a bad variable', () => {
    const result = runCli('migrate.ts', [], { ...env, PORT: 'x' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/PORT/);
  });
});

describe('npm run staff', () => {
  it('adds an account with the password from standard input, audited', async () => {
    const result = runCli('staff.ts', ['add', '--email', 'New.Agent@Example.com', '--role', 'agent', '--name', 'New Agent', '--password-stdin'], env, 'a-long-secret-pass\n');
    expect(result).toMatchObject({ status: 0, stdout: expect.stringMatching(/Created agent new.agent@example.com/) });
    const rows = await t.rows<{ email: string; role: string; name: string; password_hash: string }>('SELECT * FROM staff');
    expect(rows).toHaveLength(1);
    const [row] = rows;
    expect(row).toMatchObject({ email: 'new.agent@example.com', role: 'agent', name: 'New Agent' });
    expect(await verifyPassword('a-long-secret-pass', row.password_hash)).toBe(true);
    expect(await t.rows('SELECT actor_type, action FROM audit_events')).toEqual([{ actor_type: 'system', action: 'staff.created' }]);
  });

  it('refuses bad input with a message naming the flag, and writes nothing', async () => {
    const cases: [string[], string | undefined, RegExp][] = [
      [['add', '--email', 'a@example.com', '--role', 'boss', '--password-stdin'], 'a-long-secret-pass', /--role/],
      [['add', '--email', 'a@example.com', '--role', 'agent', '--password-stdin'], 'short', /--password/],
      [['add', '--email', 'a@example.com', '--role', 'agent'], undefined, /--password-stdin/],
      [['add', '--email', 'nope', '--role', 'agent', '--password-stdin'], 'a-long-secret-pass', /--email/],
      [['promote'], undefined, /Usage/],
    ];
    for (const [args, input, message] of cases) {
      const result = runCli('staff.ts', args, env, input);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(message);
    }
    expect(await t.value('SELECT COUNT(*) FROM staff')).toBe(0);
  });

  it('refuses a second account with the same e-mail', async () => {
    const existing = await buildStaff(t.ctx);
    const result = runCli('staff.ts', ['add', '--email', existing.email, '--role', 'lead', '--password-stdin'], env, 'a-long-secret-pass');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/already exists/);
  });

  it('disables an account and ends its sessions', async () => {
    const agent = await buildStaff(t.ctx);
    const { agent: browser } = await signIn(t.app, agent.email);
    const result = await runCliAlongside('staff.ts', ['disable', '--email', agent.email], env);
    expect(result).toMatchObject({ status: 0, stdout: expect.stringMatching(/ended 1 session/) });
    await browser.get('/api/auth/me').expect(401);
    expect(await t.value('SELECT disabled FROM staff WHERE id = ?', [agent.id])).toBe(1);
  });
});

describe('npm run ledger:verify and audit:verify', () => {
  it('pass on a consistent database', async () => {
    await history();
    expect(runCli('ledgerVerify.ts', [], env)).toMatchObject({ status: 0, stdout: expect.stringMatching(/Ledger OK: 4 entries/) });
    expect(runCli('auditVerify.ts', [], env)).toMatchObject({ status: 0, stdout: expect.stringMatching(/Audit chain OK: 3 events/) });
  });

  it('fail naming what a tamperer changed', async () => {
    const { customerId } = await history();
    await t.run({ sqlite: 'DROP TRIGGER audit_no_update', postgres: 'DROP TRIGGER audit_no_update ON audit_events' });
    await t.run("UPDATE audit_events SET after_json = '{\"i\":7}' WHERE seq = 2");
    await t.run('UPDATE customers SET balance = balance + 1000 WHERE id = ?', [customerId]);
    const ledger = runCli('ledgerVerify.ts', [], env);
    expect(ledger.status).toBe(1);
    expect(ledger.stderr).toContain(`customer ${customerId}: balance 1460 but its ledger entries sum to 460`);
    const audit = runCli('auditVerify.ts', [], env);
    expect(audit.status).toBe(1);
    expect(audit.stderr).toMatch(/BROKEN at event 2/);
  });
});

describe('npm run backup', () => {
  // SQLite's online copy of the file; on PostgreSQL the command points to pg_dump and writes nothing.
  it('writes a consistent copy that passes every check, and refuses to overwrite (SQLite); says to use pg_dump (PostgreSQL)', async () => {
    await history();
    const file = join(testDir(), 'backup.db');
    if (!onSqlite) {
      const result = runCli('backup.ts', [file], env);
      expect(result).toMatchObject({ status: 1, stdout: '', stderr: expect.stringMatching(/This database is PostgreSQL: back it up with pg_dump/) });
      expect(existsSync(file)).toBe(false);
      return;
    }
    expect(runCli('backup.ts', [file], env)).toMatchObject({ status: 0, stdout: expect.stringMatching(/Backup written/) });
    expect(existsSync(file)).toBe(true);
    const copy = new Database(file, { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.prepare('SELECT COUNT(*) FROM ledger_entries').pluck().get()).toBe(4);
    copy.close();
    expect(runCli('ledgerVerify.ts', [], { DATABASE_PATH: file }).status).toBe(0);
    expect(runCli('auditVerify.ts', [], { DATABASE_PATH: file }).status).toBe(0);
    const again = runCli('backup.ts', [file], env);
    expect(again.status).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
    openDatabase(file).close();
  });
});
