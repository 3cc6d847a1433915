import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Express } from 'express';
import { pino } from 'pino';
import request from 'supertest';
import { openDatabase, type Db } from '../../../db/connection.ts';
import { migrate } from '../../../db/migrate.ts';
import { postgresDatabase, sqliteDatabase, type OpenedDatabase } from '../../../db/openStorage.ts';
import type { Changes, Engine, Params, Statement } from '../../../db/storage/types.ts';
import { staffRepository, type StaffRow } from '../../../db/repositories/staffRepository.ts';
import type { Role } from '../../../shared/roles.ts';
import { createApp } from '../../../server/app.ts';
import { hashPassword } from '../../../server/auth/passwords.ts';
import type { Clock } from '../../../server/clock.ts';
import { loadConfig, type Config } from '../../../server/config.ts';
import { createContext, type AppContext } from '../../../server/context.ts';
import { newId } from '../../../server/ids.ts';

export const TEST_PASSWORD = 'correct-horse-battery';

/** The SQLite connection under a test's context, for a test that needs the file itself (it runs on SQLite only). */
export function sqliteOf(ctx: AppContext): Db {
  if (ctx.database.engine !== 'sqlite') throw new Error('this test needs the SQLite file itself');
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

/**
 * The engine the server suite runs on: SQLite by default; PostgreSQL when TEST_ENGINE=postgres,
 * as `npm run test:pg` runs it (tests/server/postgres.config.ts), each test app then on a fresh
 * database of the run's PostgreSQL server (tests/support/postgres.ts).
 */
export const testEngine: Engine = process.env.TEST_ENGINE === 'postgres' ? 'postgres' : 'sqlite';

/** True on SQLite: for a test that asserts what each engine answers differently on purpose. */
export const onSqlite = testEngine === 'sqlite';

export interface TestApp {
  app: Express;
  ctx: AppContext;
  engine: Engine;
  time: ReturnType<typeof manualClock>;
  /** The rows of a statement, read directly on either engine (`?` or `@name` placeholders, db/storage/types.ts). */
  rows<Row>(statement: Statement, params?: Params): Promise<Row[]>;
  /** The first row of a statement, or undefined. */
  row<Row>(statement: Statement, params?: Params): Promise<Row | undefined>;
  /** The first column of the first row (a COUNT, a balance), or undefined. */
  value<Value>(statement: Statement, params?: Params): Promise<Value | undefined>;
  /** Runs a statement in a transaction of its own: what a test plants or breaks directly. */
  run(statement: Statement, params?: Params): Promise<Changes>;
  /** The environment that points a server process or a tool at this database (DATABASE_PATH or DATABASE_URL). */
  databaseEnv: Record<string, string>;
  /** A temporary folder of the test's own (the app's empty client folder is `no-client` in it), deleted by cleanup(). */
  dir: string;
  cleanup: () => Promise<void>;
}

export interface TestDatabase {
  /** Opened and migrated, for a context to be built on. */
  database: OpenedDatabase;
  /** What points a server process, a tool or openConfiguredDatabase at it: DATABASE_PATH or DATABASE_URL. */
  env: Record<string, string>;
  /** A temporary folder for the test's other files, deleted by cleanup(). */
  dir: string;
  /** Closes every connection of `database` (a server process may then open it alone); once is enough. */
  release: () => Promise<void>;
  /** Releases, then drops the database (or deletes the file) and the folder. */
  cleanup: () => Promise<void>;
}

const once = (close: () => Promise<void>): (() => Promise<void>) => {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
};

/** A fresh, migrated database of the suite's engine. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'td-test-'));
  if (testEngine === 'postgres') {
    // Imported here: the module asks vitest for the run's PostgreSQL server, which only the PostgreSQL run has.
    const { freshDatabase } = await import('../../support/postgres.ts');
    const fresh = await freshDatabase();
    const database = postgresDatabase(fresh.pool);
    const release = once(() => database.close());
    return {
      database,
      env: { DATABASE_URL: fresh.url },
      dir,
      release,
      cleanup: async () => {
        await release();
        await fresh.drop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const path = join(dir, 'test.db');
  const db = openDatabase(path);
  migrate(db);
  const database = sqliteDatabase(db, path);
  const release = once(async () => {
    await database.close();
    db.close();
  });
  return {
    database,
    env: { DATABASE_PATH: path },
    dir,
    release,
    cleanup: async () => {
      await release();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The app over a fresh, migrated database of the suite's engine, with a clock the test moves. */
export async function createTestApp(overrides: Record<string, string> = {}): Promise<TestApp> {
  const opened = await openTestDatabase();
  const time = manualClock();
  const config: Config = loadConfig({ DATABASE_PATH: join(opened.dir, 'unused.db'), LOG_LEVEL: 'silent', ...opened.env, ...overrides });
  const ctx = createContext(opened.database, config, time.clock, pino({ level: 'silent' }));
  const { storage } = ctx;
  // Work the last answer set going (a sign-in's throttle count, say) finishes before the database goes.
  const cleanup = (): Promise<void> => opened.cleanup();
  return {
    app: createApp(ctx, { clientDir: join(opened.dir, 'no-client') }),
    ctx,
    engine: testEngine,
    time,
    rows: (statement, params) => storage.all(statement, params),
    row: (statement, params) => storage.get(statement, params),
    value: async <Value>(statement: Statement, params?: Params) => {
      const first = await storage.get<Record<string, Value>>(statement, params);
      return first === undefined ? undefined : Object.values(first)[0];
    },
    run: (statement, params) => storage.transaction((tx) => tx.run(statement, params)),
    databaseEnv: opened.env,
    dir: opened.dir,
    cleanup,
  };
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
  const row: StaffRow = {
    id, email, name, role, disabled: fields.disabled ? 1 : 0, password_hash: hash, must_change_password: 0,
    external_subject: null, created_at: now, updated_at: now,
  };
  if (!(await ctx.storage.transaction((tx) => staffRepository.insertNew(tx, row)))) throw new Error(`staff ${email} exists`);
  return { id, email, name, role };
}

/** A supertest agent signed in as `email`, with the CSRF token at hand. */
export async function signIn(app: Express, email: string, password = TEST_PASSWORD) {
  const agent = request.agent(app);
  const res = await agent.post('/api/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`sign-in as ${email} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { agent, csrf: res.body.csrf_token as string, user: res.body.user as { id: string; role: Role } };
}
