import { openConfiguredDatabase } from '../../db/openStorage.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { fail } from './cliContext.ts';

try {
  const config = loadConfig();
  const database = await openConfiguredDatabase(
    { path: config.databasePath, url: config.databaseUrl?.reveal() ?? null },
    { applicationName: 'token-desk migrate' },
  );
  await database.close();
  // PostgreSQL's address may carry a password: it is named, never printed.
  const where = database.engine === 'sqlite' ? database.path : 'the PostgreSQL database of DATABASE_URL';
  const { applied } = database;
  process.stdout.write(
    applied.length === 0 ? `${where}: up to date.\n` : `${where}: applied migration${applied.length > 1 ? 's' : ''} ${applied.join(', ')}.\n`,
  );
} catch (error) {
  fail(error instanceof ConfigError ? error.message : `Migration failed: ${(error as Error).message}`);
}
