import { sqliteDatabase } from '../../db/openStorage.ts';
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import type { Db } from '../../db/connection.ts';
import { loadConfig } from '../../server/config.ts';
import { createContext, type AppContext } from '../../server/context.ts';
import type { DatasetSummary, LoadOptions } from '../../server/seed/dataset.ts';
import { seedInto } from '../../server/seed/seedInto.ts';
import { manualClock, tempDatabase } from './support/testApp.ts';

/** The end of every test dataset: fixed, so the tests do not depend on today's date. */
export const ANCHOR = new Date('2026-11-01T00:00:00.000Z');
/** "Now" for the tests: three weeks after the anchor, every grace period long over. */
export const NOW = '2026-11-20T12:00:00.000Z';

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

export const seededTables = ['customers', 'chats', 'generations', 'assets', 'ledger_entries'] as const;

/** Row count and a SHA-256 of every row, column by column, of each seeded table: equal digests mean byte-identical data. */
export function tableDigests(db: Db): Record<string, { rows: number; sha256: string }> {
  return Object.fromEntries(
    seededTables.map((table) => {
      const hash = createHash('sha256');
      let rows = 0;
      for (const row of db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).raw().iterate()) {
        hash.update(JSON.stringify(row)).update('\n');
        rows++;
      }
      return [table, { rows, sha256: hash.digest('hex') }];
    }),
  );
}
