import type { SessionWithStaff } from '../../db/repositories/sessionRepository.ts';

declare module 'express-serve-static-core' {
  interface Request {
    /** The live session of the signed-in staff member (set by loadSession). */
    session?: SessionWithStaff;
    /** The raw session cookie value, needed to end or rotate the session. */
    sessionToken?: string;
  }
}
