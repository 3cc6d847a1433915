/**
 * The one database the instances share, as a parameter of the suite.
 *
 * - `sqlite` (the default): one file in a temporary folder; the processes get
 *   DATABASE_PATH. Rows are read through a read-only better-sqlite3 connection,
 *   so the test never takes the write lock the instances compete for.
 * - `postgres` (INSTANCES_ENGINE=postgres, run with this folder's vitest
 *   config, whose globalSetup starts PostgreSQL): a migrated database from
 *   freshDatabase(); the processes get DATABASE_URL, and rows are read through
 *   the pool openPostgres() made for it.
 *
 * Tests write their SQL once, in the dialect both engines share, with `?`
 * placeholders (rewritten as `$n` for PostgreSQL).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { compilePlaceholders } from '../../../db/storage/placeholders.ts';

export type Engine = 'sqlite' | 'postgres';
export type SqlValue = string | number | null;

/** The engine this run asks for: INSTANCES_ENGINE=postgres, else SQLite. */
export function engineFromEnv(env: NodeJS.ProcessEnv = process.env): Engine {
  const asked = env.INSTANCES_ENGINE ?? 'sqlite';
  if (asked !== 'sqlite' && asked !== 'postgres') throw new Error(`INSTANCES_ENGINE must be sqlite or postgres, not ${asked}`);
  return asked;
}

/** Reads (and, for set-up only, writes) rows of the shared database, whatever its engine. */
export interface Rows {
  all<T extends object>(sql: string, ...params: SqlValue[]): Promise<T[]>;
  /** The first column of the first row (undefined when there is no row). */
  value<T extends SqlValue>(sql: string, ...params: SqlValue[]): Promise<T>;
  /** Set-up writes (staff rows): never used to check an outcome. */
  run(sql: string, ...params: SqlValue[]): Promise<void>;
}

export interface SharedDatabase {
  engine: Engine;
  /** What every server process and command-line tool needs to reach the database. */
  env: Record<string, string>;
  rows: Rows;
  /**
   * Whether some connection keeps a write lock for `ms` and more: on SQLite
   * the file's one write lock (a probe that waits `ms` for it in vain); on
   * PostgreSQL another session's transaction that has written (has an xid)
   * and is still open `ms` later. A running instance's transactions end
   * sooner, so it is a stopped instance's: lets a test stop an instance at
   * its worst moment for the others.
   */
  writeLockStuck(ms: number): Promise<boolean>;
  /**
   * Called once the first instance has started (and so migrated the
   * database): on SQLite the file exists only from then on.
   */
  ready(): void;
  close(): Promise<void>;
}

function sqliteDatabase(): SharedDatabase {
  const dir = mkdtempSync(join(tmpdir(), 'td-instances-'));
  const path = join(dir, 'shared.db');
  let reader: Database.Database | null = null;
  const read = (): Database.Database => {
    if (!reader) throw new Error('the shared SQLite file is read only after the first instance has migrated it');
    return reader;
  };
  const rows: Rows = {
    async all<T extends object>(sql: string, ...params: SqlValue[]) {
      return read().prepare(sql).all(...params) as T[];
    },
    async value<T extends SqlValue>(sql: string, ...params: SqlValue[]) {
      return read().prepare(sql).pluck().get(...params) as T;
    },
    async run(sql: string, ...params: SqlValue[]) {
      // A short-lived writer of its own: the reader stays read-only, and no
      // write connection lingers in the test process beside the instances.
      const writer = new Database(path, { fileMustExist: true });
      try {
        writer.pragma('busy_timeout = 10000');
        writer.prepare(sql).run(...params);
      } finally {
        writer.close();
      }
    },
  };
  return {
    engine: 'sqlite',
    env: { DATABASE_PATH: path },
    rows,
    async writeLockStuck(ms: number) {
      const probe = new Database(path, { fileMustExist: true });
      try {
        probe.pragma(`busy_timeout = ${Math.round(ms)}`);
        probe.exec('BEGIN IMMEDIATE');
        probe.exec('ROLLBACK');
        return false;
      } catch (error) {
        if ((error as { code?: unknown }).code === 'SQLITE_BUSY') return true;
        throw error;
      } finally {
        probe.close();
      }
    },
    ready() {
      if (reader) return;
      reader = new Database(path, { readonly: true, fileMustExist: true });
      reader.pragma('busy_timeout = 10000');
    },
    async close() {
      reader?.close();
      reader = null;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresRows(pool: pg.Pool): Rows {
  const query = async (sql: string, params: SqlValue[]): Promise<pg.QueryResult> => {
    const { text } = compilePlaceholders(sql);
    return pool.query(text, params);
  };
  return {
    async all<T extends object>(sql: string, ...params: SqlValue[]) {
      return (await query(sql, params)).rows as T[];
    },
    async value<T extends SqlValue>(sql: string, ...params: SqlValue[]) {
      const result = await query(sql, params);
      const first = result.rows[0] as Record<string, SqlValue> | undefined;
      return (first === undefined ? undefined : first[result.fields[0].name]) as T;
    },
    async run(sql: string, ...params: SqlValue[]) {
      await query(sql, params);
    },
  };
}

async function postgresDatabase(): Promise<SharedDatabase> {
  // Imported only here: it needs the globalSetup of tests/instances/vitest.config.ts.
  const { freshDatabase } = await import('../../support/postgres.ts');
  const database = await freshDatabase();
  return {
    engine: 'postgres',
    // DATABASE_PATH names a place no file can be made (below /dev/null): a
    // server that ignored DATABASE_URL would stop at start, loudly, instead of
    // quietly running on a SQLite file the checks never read.
    env: { DATABASE_URL: database.url, DATABASE_PATH: '/dev/null/not-sqlite/token-desk.db' },
    rows: postgresRows(database.pool),
    async writeLockStuck(ms: number) {
      const writing = (): Promise<pg.QueryResult<{ pid: number; xact_start: string }>> => database.pool.query(
        `SELECT pid, xact_start::text FROM pg_stat_activity
          WHERE datname = current_database() AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()`);
      const before = new Set((await writing()).rows.map((r) => `${r.pid}@${r.xact_start}`));
      await new Promise((resolve) => setTimeout(resolve, ms));
      return (await writing()).rows.some((r) => before.has(`${r.pid}@${r.xact_start}`));
    },
    ready() {},
    close: () => database.drop(),
  };
}

export async function openSharedDatabase(engine: Engine = engineFromEnv()): Promise<SharedDatabase> {
  return engine === 'postgres' ? postgresDatabase() : sqliteDatabase();
}
