import { pino } from 'pino';
import { openConfiguredDatabase, type OpenedDatabase } from '../../../db/openStorage.ts';
import { loadConfig } from '../../../server/config.ts';
import { createContext } from '../../../server/context.ts';
import { buildChat, buildCustomer, buildRun } from './builders.ts';
import { buildStaff, manualClock, openTestDatabase } from './testApp.ts';

/**
 * A database of the suite's engine for tests that start the real server process: a lead, a
 * customer with a balance, one chat and `runs` succeeded runs charged `charge` tokens each. Its
 * connections are closed, ready for the server to open with `env`; `reopen()` opens it again
 * for the test's own checks.
 */
export async function serverWorld({ runs, charge = 5, balance = 10_000 }: { runs: number; charge?: number; balance?: number }) {
  const database = await openTestDatabase();
  const setup = createContext(database.database, loadConfig({ ...database.env, LOG_LEVEL: 'silent' }), manualClock(new Date().toISOString()).clock, pino({ level: 'silent' }));
  const lead = await buildStaff(setup, { role: 'lead' });
  const customer = await buildCustomer(setup, { balance });
  const chat = await buildChat(setup, customer.id);
  const runIds: string[] = [];
  for (let i = 0; i < runs; i++) runIds.push((await buildRun(setup, chat, customer.id, { charge })).id);
  await database.release();
  const reopen = (): Promise<OpenedDatabase> =>
    openConfiguredDatabase({ path: database.env.DATABASE_PATH ?? '', url: database.env.DATABASE_URL ?? null });
  return { database, env: database.env, reopen, lead, customer, runIds };
}
