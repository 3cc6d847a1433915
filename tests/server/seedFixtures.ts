import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Db } from '../../db/connection.ts';
import { sqliteDatabase } from '../../db/openStorage.ts';
import type { Params, Queryable, Statement } from '../../db/storage/types.ts';
import { loadConfig } from '../../server/config.ts';
import { createContext, type AppContext } from '../../server/context.ts';
import type { DatasetSummary, LoadOptions } from '../../server/seed/dataset.ts';
import { seedInto } from '../../server/seed/seedInto.ts';
import { manualClock, openTestDatabase, tempDatabase, testEngine } from './support/testApp.ts';

/** The end of every test dataset: fixed, so the tests do not depend on today's date. */
export const ANCHOR = new Date('2026-11-01T00:00:00.000Z');
/** "Now" for the tests: three weeks after the anchor, every grace period long over. */
export const NOW = '2026-11-20T12:00:00.000Z';

/** A SQLite file holding a dataset, for tests of what is made from such a file (tests/pg: copying it, comparing with it). */
export interface SeededDatabase {
  ctx: AppContext;
  db: Db;
  path: string;
  summary: DatasetSummary;
  cleanup: () => void;
}

export function emptyDatabase(): Omit<SeededDatabase, 'summary'> {
  const database = tempDatabase();
  const config = loadConfig({ DATABASE_PATH: database.path, LOG_LEVEL: 'silent' });
  const ctx = createContext(sqliteDatabase(database.db, database.path), config, manualClock(NOW).clock, pino({ level: 'silent' }));
  return { ctx, db: database.db, path: database.path, cleanup: database.cleanup };
}

/** A fresh database file holding the small dataset. */
export async function seededDatabase(options: Partial<LoadOptions> = {}): Promise<SeededDatabase> {
  const empty = emptyDatabase();
  const summary = await seedInto(empty.ctx, { scale: 'small', seed: 1, anchor: ANCHOR, ...options });
  return { ...empty, summary };
}

/** A database of the suite's engine (tests/server/support/testApp.ts), with a context at NOW and direct reads. */
export interface SeededTestDatabase {
  ctx: AppContext;
  /** DATABASE_PATH or DATABASE_URL: what points a command-line tool at it. */
  env: Record<string, string>;
  rows<Row>(statement: Statement, params?: Params): Promise<Row[]>;
  /** The first column of the first row (a COUNT), or undefined. */
  value<Value>(statement: Statement, params?: Params): Promise<Value | undefined>;
  summary: DatasetSummary;
  /** Closes its connections, so that a tool may open it alone. */
  release: () => Promise<void>;
  cleanup: () => Promise<void>;
}

/** A fresh, empty database of the suite's engine. */
export async function emptyTestDatabase(): Promise<Omit<SeededTestDatabase, 'summary'>> {
  const opened = await openTestDatabase();
  const config = loadConfig({ DATABASE_PATH: join(opened.dir, 'unused.db'), LOG_LEVEL: 'silent', ...opened.env });
  const ctx = createContext(opened.database, config, manualClock(NOW).clock, pino({ level: 'silent' }));
  const { storage } = ctx;
  return {
    ctx,
    env: opened.env,
    rows: (statement, params) => storage.all(statement, params),
    value: async <Value>(statement: Statement, params?: Params) => {
      const first = await storage.get<Record<string, Value>>(statement, params);
      return first === undefined ? undefined : Object.values(first)[0];
    },
    release: opened.release,
    cleanup: opened.cleanup,
  };
}

/** A fresh database of the suite's engine holding the small dataset. */
export async function seededTestDatabase(options: Partial<LoadOptions> = {}): Promise<SeededTestDatabase> {
  const empty = await emptyTestDatabase();
  try {
    const summary = await seedInto(empty.ctx, { scale: 'small', seed: 1, anchor: ANCHOR, ...options });
    return { ...empty, summary };
  } catch (error) {
    await empty.cleanup();
    throw error;
  }
}

export const seededTables = ['customers', 'chats', 'generations', 'assets', 'ledger_entries'] as const;

/**
 * Rows in the order they were written: SQLite's rowid; PostgreSQL has none, so there the primary key
 * (ledger_entries.seq numbers the entries as written; the other tables' ids are the dataset's own).
 */
const writtenOrder = (table: (typeof seededTables)[number]): string =>
  testEngine === 'sqlite' ? 'rowid' : table === 'ledger_entries' ? 'seq' : 'id';

/** Row count and a SHA-256 of every row, column by column, of each seeded table: equal digests mean byte-identical data. */
export async function tableDigests(q: Queryable): Promise<Record<string, { rows: number; sha256: string }>> {
  const digests: Record<string, { rows: number; sha256: string }> = {};
  for (const table of seededTables) {
    const hash = createHash('sha256');
    const rows = await q.all<Record<string, unknown>>(`SELECT * FROM ${table} ORDER BY ${writtenOrder(table)}`);
    for (const row of rows) hash.update(JSON.stringify(Object.values(row))).update('\n');
    digests[table] = { rows: rows.length, sha256: hash.digest('hex') };
  }
  return digests;
}
