import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { openDatabase, type Db } from '../../../db/connection.ts';
import { migrate } from '../../../db/migrate.ts';
import { sqliteDatabase } from '../../../db/openStorage.ts';
import { createStaffRepository } from '../../../db/repositories/staffRepository.ts';
import type { Role } from '../../../shared/roles.ts';
import { createApp } from '../../../server/app.ts';
import { hashPassword } from '../../../server/auth/passwords.ts';
import type { Clock } from '../../../server/clock.ts';
import { loadConfig, type Config } from '../../../server/config.ts';
import { createContext, type AppContext } from '../../../server/context.ts';
import { newId } from '../../../server/ids.ts';

export const TEST_PASSWORD = 'correct-horse-battery';

/** The SQLite connection under a test's context: tests that read or write rows directly run on SQLite. */
export function sqliteOf(ctx: AppContext): Db {
  if (ctx.database.engine !== 'sqlite') throw new Error('this test reads the SQLite file directly');
  return ctx.database.db;
}

/** A clock the test moves by hand. */
export function manualClock(start = '2026-11-20T12:00:00.000Z') {
  let now = new Date(start).getTime();
  const clock: Clock = () => new Date(now);
  return {
    clock,
    advance: (ms: number): void => {
      now += ms;
    },
    set: (iso: string): void => {
      now = new Date(iso).getTime();
    },
  };
}

/** A fresh, migrated database file in its own temp folder. */
export function tempDatabase(): { db: Db; path: string; dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'td-test-'));
  const path = join(dir, 'test.db');
  const db = openDatabase(path);
  migrate(db);
  return {
    db,
    path,
    dir,
    cleanup: () => {
      if (db.open) db.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestApp {
  app: Express;
  ctx: AppContext;
  db: Db;
  dbPath: string;
  time: ReturnType<typeof manualClock>;
  cleanup: () => Promise<void>;
}

export function createTestApp(overrides: Record<string, string> = {}): TestApp {
  const database = tempDatabase();
  const time = manualClock();
  const config: Config = loadConfig({ DATABASE_PATH: database.path, LOG_LEVEL: 'silent', ...overrides });
  const ctx = createContext(sqliteDatabase(database.db, database.path), config, time.clock, pino({ level: 'silent' }));
  // Work the last answer set going (a sign-in's throttle count, say) finishes before the file goes.
  const cleanup = async (): Promise<void> => {
    await ctx.storage.close();
    database.cleanup();
  };
  return { app: createApp(ctx, { clientDir: join(database.dir, 'no-client') }), ctx, db: database.db, dbPath: database.path, time, cleanup };
}

let sharedHash: Promise<string> | undefined;

/** Inserts a staff account directly (one scrypt hash per test file keeps tests fast). */
export async function buildStaff(
  ctx: AppContext,
  fields: { role?: Role; email?: string; name?: string; disabled?: boolean } = {},
): Promise<{ id: string; email: string; name: string; role: Role }> {
  const hash = await (sharedHash ??= hashPassword(TEST_PASSWORD));
  const role = fields.role ?? 'agent';
  const id = newId('stf');
  const email = fields.email ?? `${role}-${id.slice(-6)}@example.test`;
  const name = fields.name ?? `Test ${role}`;
  const now = ctx.clock().toISOString();
  createStaffRepository(sqliteOf(ctx)).insert({
    id, email, name, role, disabled: fields.disabled ? 1 : 0, password_hash: hash, must_change_password: 0,
    external_subject: null, created_at: now, updated_at: now,
  });
  return { id, email, name, role };
}

/** A supertest agent signed in as `email`, with the CSRF token at hand. */
export async function signIn(app: Express, email: string, password = TEST_PASSWORD) {
  const agent = request.agent(app);
  const res = await agent.post('/api/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`sign-in as ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { agent, csrf: res.body.csrf_token as string, user: res.body.user as { id: string; role: Role } };
}
