import type { Logger } from 'pino';
import type { Db } from '../db/connection.ts';
import { createGroupCommit } from '../db/groupCommit.ts';
import { createAuditLog } from './audit/auditLog.ts';
import { createAuthService } from './auth/authService.ts';
import { createOidcService } from './auth/oidcService.ts';
import { createSessions } from './auth/sessions.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import { createCreditReversals } from './credits/creditReversals.ts';
import { createCreditService } from './credits/creditService.ts';
import { createPolicyService } from './policy/policyService.ts';
import { createIngestService } from './ingest/ingestService.ts';
import { createLedger } from './ledger/ledger.ts';
import { createStaffService } from './staff/staffService.ts';

/** Everything a request handler or a command-line tool works with, built once per database. */
export function createContext(db: Db, config: Config, clock: Clock, logger: Logger) {
  const audit = createAuditLog(db, clock);
  const sessions = createSessions(db, { idleMinutes: config.sessionIdleMinutes, maxHours: config.sessionMaxHours }, clock);
  const ledger = createLedger(db, clock);
  const creditReversals = createCreditReversals(db, ledger, audit, clock);
  const auth = createAuthService(db, audit, sessions);
  return {
    db,
    config,
    clock,
    logger,
    audit,
    sessions,
    ledger,
    creditReversals,
    ingest: createIngestService(db, ledger, creditReversals, audit, clock),
    credits: createCreditService(db, ledger, creditReversals, audit, clock),
    /** Credit requests arriving together share one commit (db/groupCommit.ts). */
    groupCommit: createGroupCommit(db),
    policy: createPolicyService(db, audit, clock),
    auth,
    /** Single sign-on, when OIDC_ISSUER turns it on. */
    oidc: config.oidc ? createOidcService(db, config.oidc, auth, clock) : null,
    staff: createStaffService(db, audit, sessions, clock),
  };
}
export type AppContext = ReturnType<typeof createContext>;
