import { openDatabase } from '../../db/connection.ts';
import { migrate } from '../../db/migrate.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { fail } from './cliContext.ts';

try {
  const config = loadConfig();
  const db = openDatabase(config.databasePath);
  const applied = migrate(db);
  db.close();
  process.stdout.write(
    applied.length === 0
      ? `${config.databasePath}: up to date.\n`
      : `${config.databasePath}: applied migration${applied.length > 1 ? 's' : ''} ${applied.join(', ')}.\n`,
  );
} catch (error) {
  fail(error instanceof ConfigError ? error.message : `Migration failed: ${(error as Error).message}`);
}
