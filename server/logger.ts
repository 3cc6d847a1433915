import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

export function createLogger(level: Config['logLevel']): Logger {
  return pino({ level, base: { service: 'token-desk' }, redact: ['req.headers.cookie', 'req.headers["x-csrf-token"]', 'req.headers["x-signature"]'] });
}
