import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

/** Requests are logged by `http/requestLog.ts` without headers or query strings, so there is nothing to redact. */
export function createLogger(level: Config['logLevel']): Logger {
  return pino({ level, base: { service: 'token-desk' } });
}
