import { randomBytes } from 'node:crypto';
import { openDatabase, type Db } from '../db/connection.ts';
import { migrate } from '../db/migrate.ts';
import { sqliteDatabase } from '../db/openStorage.ts';
import { systemClock } from '../server/clock.ts';
import { loadConfig } from '../server/config.ts';
import { createContext, type AppContext } from '../server/context.ts';
import { createLogger } from '../server/logger.ts';
import { appendAuditEvents } from './auditEvents.ts';

export interface BenchStaff {
  email: string;
  name: string;
  password: string;
}

export interface PreparedWork {
  lead: BenchStaff;
  /** Audit events added so the audit lists have more rows than they count (10,000). */
  auditAppended: number;
  auditTotal: number;
}

/** Above the lists' count cap, so the audit list pages count as far as they ever do. */
const AUDIT_EVENTS_WANTED = 20_000;

/** The app's services over a database file, migrated, as the server would open it. */
export function openBenchContext(path: string): AppContext & { db: Db } {
  const config = loadConfig({ DATABASE_PATH: path, LOG_LEVEL: 'warn', DEMO_DATA: 'off' });
  const db = openDatabase(path);
  migrate(db);
  // The bench writes its audit events through SQLite's synchronous audit log: it keeps the connection.
  return { ...createContext(sqliteDatabase(db, path), config, systemClock, createLogger('warn')), db };
}

/**
 * Readies a fresh work copy through the app's own services, before the server
 * starts: a lead to sign in as (a lead's grants below the lead threshold apply
 * at once), and, when the seed holds few audit events, enough chained events
 * for the audit lists, spread over the sampled customers.
 */
export async function prepareWorkDatabase(path: string, customerIds: string[]): Promise<PreparedWork> {
  const ctx = openBenchContext(path);
  try {
    const lead: BenchStaff = { email: 'bench-lead@tokendesk.test', name: 'Bench Lead', password: randomBytes(18).toString('base64url') };
    await ctx.staff.create({ ...lead, role: 'lead' }, { type: 'system' });
    const countEvents = ctx.db.prepare<[], number>('SELECT COUNT(*) FROM audit_events').pluck();
    const missing = Math.max(0, AUDIT_EVENTS_WANTED - (countEvents.get() ?? 0));
    appendAuditEvents(ctx, missing, customerIds);
    return { lead, auditAppended: missing, auditTotal: countEvents.get() ?? 0 };
  } finally {
    ctx.db.close();
  }
}
