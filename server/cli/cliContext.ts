import { openDatabase } from '../../db/connection.ts';
import { migrate } from '../../db/migrate.ts';
import { systemClock } from '../clock.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { createContext, type AppContext } from '../context.ts';
import { createLogger } from '../logger.ts';

/** Stops a command with a message and a non-zero exit code. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** The configured database, migrated, with the services a command needs. */
export function openCliContext(): AppContext {
  try {
    const config = loadConfig();
    const db = openDatabase(config.databasePath);
    migrate(db);
    return createContext(db, config, systemClock, createLogger(config.logLevel));
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}
