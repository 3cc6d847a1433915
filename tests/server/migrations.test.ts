import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../db/connection.ts';
import { listMigrations, migrate } from '../../db/migrate.ts';

const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'td-mig-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('applies every numbered migration once, in order, and records it', () => {
    const db = openDatabase(join(tempDir(), 'a.db'));
    const all = listMigrations().map((m) => m.version);
    expect(migrate(db)).toEqual(all);
    expect(migrate(db)).toEqual([]);
    const recorded = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(recorded).toEqual(all);
    db.close();
  });

  it('sets WAL, synchronous=FULL, foreign keys and a busy timeout on every connection', () => {
    const db = openDatabase(join(tempDir(), 'p.db'));
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
    db.close();
  });

  it('rolls back a failing migration whole and records nothing for it', () => {
    const dir = tempDir();
    const migrations = join(dir, 'migrations');
    mkdirSync(migrations);
    writeFileSync(join(migrations, '001_first.sql'), 'CREATE TABLE kept (id INTEGER);');
    writeFileSync(join(migrations, '002_broken.sql'), 'CREATE TABLE half (id INTEGER); THIS IS NOT SQL;');
    const db = openDatabase(join(dir, 'b.db'));
    expect(() => migrate(db, listMigrations(migrations))).toThrow();
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toContain('kept');
    expect(tables).not.toContain('half');
    expect(db.prepare('SELECT version FROM schema_migrations').pluck().all()).toEqual([1]);
    db.close();
  });

  it('starts with the default credit policy: 500, 2000, 5000, goodwill waits, 15 min', () => {
    const db = openDatabase(join(tempDir(), 'c.db'));
    migrate(db);
    expect(db.prepare('SELECT * FROM credit_policy').get()).toMatchObject({
      approval_threshold: 500, agent_daily_limit: 2000, lead_approval_threshold: 5000,
      goodwill_requires_approval: 1, refund_grace_minutes: 15,
    });
    db.close();
  });
});
