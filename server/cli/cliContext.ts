import { openConfiguredDatabase } from '../../db/openStorage.ts';
import { systemClock } from '../clock.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { createContext, type AppContext } from '../context.ts';
import { createLogger } from '../logger.ts';

/** Stops a command with a message and a non-zero exit code. */
export function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** The configured database (DATABASE_URL or DATABASE_PATH), migrated, with the services a command needs. */
export async function openCliContext(): Promise<AppContext> {
  try {
    const config = loadConfig();
    const database = await openConfiguredDatabase(
      { path: config.databasePath, url: config.databaseUrl?.reveal() ?? null },
      { applicationName: 'token-desk cli' },
    );
    return createContext(database, config, systemClock, createLogger(config.logLevel));
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}
