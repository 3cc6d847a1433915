import { sqliteDatabase } from '../../../db/openStorage.ts';
import { pino } from 'pino';
import { loadConfig } from '../../../server/config.ts';
import { createContext } from '../../../server/context.ts';
import { buildChat, buildCustomer, buildRun } from './builders.ts';
import { buildStaff, manualClock, tempDatabase } from './testApp.ts';

/**
 * A database file for tests that start the real server process: a lead, a
 * customer with a balance, one chat and `runs` succeeded runs charged
 * `charge` tokens each. The file is closed, ready for the server to open.
 */
export async function serverWorld({ runs, charge = 5, balance = 10_000 }: { runs: number; charge?: number; balance?: number }) {
  const database = tempDatabase();
  const setup = createContext(sqliteDatabase(database.db, database.path), loadConfig({ DATABASE_PATH: database.path }), manualClock(new Date().toISOString()).clock, pino({ level: 'silent' }));
  const lead = await buildStaff(setup, { role: 'lead' });
  const customer = buildCustomer(setup, { balance });
  const chat = buildChat(setup, customer.id);
  const runIds = Array.from({ length: runs }, () => buildRun(setup, chat, customer.id, { charge }).id);
  database.db.close();
  return { database, lead, customer, runIds };
}
