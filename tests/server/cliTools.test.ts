import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { verifyPassword } from '../../server/auth/passwords.ts';
import { buildChat, buildCustomer, buildRun } from './support/builders.ts';
import { runCli } from './support/cli.ts';
import { buildStaff, createTestApp, signIn, type TestApp } from './support/testApp.ts';

let t: TestApp;
let env: Record<string, string>;
beforeEach(() => {
  t = createTestApp();
  env = { DATABASE_PATH: t.dbPath };
});
afterEach(() => t.cleanup());

/** Some ledger and audit history, committed to the file the tools open. */
function history(): { customerId: string } {
  const customer = buildCustomer(t.ctx, { balance: 500 });
  const chat = buildChat(t.ctx, customer.id);
  buildRun(t.ctx, chat, customer.id, { charge: 40 });
  buildRun(t.ctx, chat, customer.id, { status: 'failed', charge: 60, autoRefund: true });
  for (let i = 0; i < 3; i++) {
    t.db.transaction(() => t.ctx.audit.record({ actor: { type: 'system' }, action: 'test.event', entityType: 'thing', after: { i } })).immediate();
  }
  return { customerId: customer.id };
}

describe('npm run migrate', () => {
  it('applies migrations to a new file, then reports it up to date', () => {
    const path = join(t.dbPath, '..', 'fresh', 'new.db');
    const first = runCli('migrate.ts', [], { DATABASE_PATH: path });
    expect(first).toMatchObject({ status: 0, stdout: expect.stringMatching(/applied migration/) });
    expect(runCli('migrate.ts', [], { DATABASE_PATH: path }).stdout).toMatch(/up to date/);
  });

  it('stops with a message naming a bad variable', () => {
    const result = runCli('migrate.ts', [], { DATABASE_PATH: t.dbPath, PORT: 'x' });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/PORT/);
  });
});

describe('npm run staff', () => {
  it('adds an account with the password from standard input, audited', async () => {
    const result = runCli('staff.ts', ['add', '--email', 'New.Agent@Example.com', '--role', 'agent', '--name', 'New Agent', '--password-stdin'], env, 'a-long-secret-pass\n');
    expect(result).toMatchObject({ status: 0, stdout: expect.stringMatching(/Created agent new.agent@example.com/) });
    const row = t.db.prepare('SELECT * FROM staff').get() as { email: string; role: string; name: string; password_hash: string };
    expect(row).toMatchObject({ email: 'new.agent@example.com', role: 'agent', name: 'New Agent' });
    expect(await verifyPassword('a-long-secret-pass', row.password_hash)).toBe(true);
    expect(t.db.prepare('SELECT actor_type, action FROM audit_events').all()).toEqual([{ actor_type: 'system', action: 'staff.created' }]);
  });

  it('refuses bad input with a message naming the flag, and writes nothing', () => {
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
    expect(t.db.prepare('SELECT COUNT(*) FROM staff').pluck().get()).toBe(0);
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
    const result = runCli('staff.ts', ['disable', '--email', agent.email], env);
    expect(result).toMatchObject({ status: 0, stdout: expect.stringMatching(/ended 1 session/) });
    await browser.get('/api/auth/me').expect(401);
    expect(t.db.prepare('SELECT disabled FROM staff WHERE id = ?').pluck().get(agent.id)).toBe(1);
  });
});

describe('npm run ledger:verify and audit:verify', () => {
  it('pass on a consistent database', () => {
    history();
    expect(runCli('ledgerVerify.ts', [], env)).toMatchObject({ status: 0, stdout: expect.stringMatching(/Ledger OK: 4 entries/) });
    expect(runCli('auditVerify.ts', [], env)).toMatchObject({ status: 0, stdout: expect.stringMatching(/Audit chain OK: 3 events/) });
  });

  it('fail naming what a tamperer changed', () => {
    const { customerId } = history();
    t.db.exec('DROP TRIGGER audit_no_update');
    t.db.prepare("UPDATE audit_events SET after_json = '{\"i\":7}' WHERE seq = 2").run();
    t.db.prepare('UPDATE customers SET balance = balance + 1000 WHERE id = ?').run(customerId);
    const ledger = runCli('ledgerVerify.ts', [], env);
    expect(ledger.status).toBe(1);
    expect(ledger.stderr).toContain(`customer ${customerId}: balance 1460 but its ledger entries sum to 460`);
    const audit = runCli('auditVerify.ts', [], env);
    expect(audit.status).toBe(1);
    expect(audit.stderr).toMatch(/BROKEN at event 2/);
  });
});

describe('npm run backup', () => {
  it('writes a consistent copy that passes every check, and refuses to overwrite', () => {
    history();
    const file = join(t.dbPath, '..', 'backup.db');
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
