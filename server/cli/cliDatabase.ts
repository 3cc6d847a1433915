import { openConfiguredDatabase, type DatabaseLocation, type OpenedDatabase } from '../../db/openStorage.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { fail } from './cliContext.ts';

/**
 * The configured database, migrated, for a command that reads or copies it whole (the verifiers,
 * the backup): PostgreSQL when DATABASE_URL is set, else the SQLite file. Such a command needs the
 * storage seam only, none of the services of openCliContext.
 */
export async function openCliDatabase(applicationName: string): Promise<{ opened: OpenedDatabase; location: DatabaseLocation }> {
  let location: DatabaseLocation;
  try {
    const config = loadConfig();
    location = { path: config.databasePath, url: config.databaseUrl?.reveal() ?? null };
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  return { opened: await openConfiguredDatabase(location, { applicationName }), location };
}
