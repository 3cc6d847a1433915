import type { Logger } from 'pino';
import type { SessionWithStaff } from '../../db/repositories/sessionRepository.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** Set by requestLog: answered in X-Request-Id and written into audit events. */
    id: string;
    /** A logger bound to the request id (requestLog). */
    log: Logger;
    /** The live session of the signed-in staff member (set by loadSession). */
    session?: SessionWithStaff;
    /** The raw session cookie value, needed to end or rotate the session. */
    sessionToken?: string;
  }
}
