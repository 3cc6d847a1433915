import type { Logger } from 'pino';
import type { OpenedDatabase } from '../db/openStorage.ts';
import type { StudioDeliverySettings } from '../shared/delivery.ts';
import { createAuditLog } from './audit/auditLog.ts';
import { createAuthService } from './auth/authService.ts';
import { createOidcService } from './auth/oidcService.ts';
import { createSessions } from './auth/sessions.ts';
import type { Clock } from './clock.ts';
import type { Config } from './config.ts';
import { createCreditReversals } from './credits/creditReversals.ts';
import { createCreditService } from './credits/creditService.ts';
import { createDeliveryService } from './delivery/deliveryService.ts';
import { createDispatcher, type Dispatcher } from './delivery/dispatcher.ts';
import { createPolicyService } from './policy/policyService.ts';
import { createIngestService } from './ingest/ingestService.ts';
import { createLedger } from './ledger/ledger.ts';
import { createMetrics } from './metrics.ts';
import { createStaffService } from './staff/staffService.ts';

/** Everything a request handler or a command-line tool works with, built once per database. */
export function createContext(database: OpenedDatabase, config: Config, clock: Clock, logger: Logger) {
  const { storage } = database;
  // SQLite's connection, for the synchronous twins the SQLite history import uses (server/sqliteOnly.ts).
  const db = database.engine === 'sqlite' ? database.db : null;
  const audit = createAuditLog(db, clock);
  const sessions = createSessions(storage, { idleMinutes: config.sessionIdleMinutes, maxHours: config.sessionMaxHours }, clock);
  const metrics = createMetrics(storage, clock);
  // Push is on only with a webhook URL; the dispatcher is built here and started by main.ts.
  const dispatcher: Dispatcher | null = config.webhook ? createDispatcher({ storage, config: config.webhook, audit, clock, logger, metrics }) : null;
  const wakeDispatcher = (): void => dispatcher?.wake();
  const ledger = createLedger(db, clock, { onCreditEvent: wakeDispatcher });
  const creditReversals = createCreditReversals(db, ledger, audit, clock);
  const studioDelivery: StudioDeliverySettings = { push_enabled: config.webhook !== null, feed_enabled: config.feedToken !== null };
  const auth = createAuthService(storage, audit, sessions, { studioDelivery, helpdeskTicketUrl: config.helpdeskTicketUrl });
  const credits = createCreditService(storage, ledger, creditReversals, audit, clock);
  const delivery = createDeliveryService(storage, db, config, audit, clock, credits.record, wakeDispatcher);
  return {
    /** The opened database: its engine, and what only that engine has (SQLite's connection, PostgreSQL's pool). */
    database,
    storage,
    config,
    clock,
    logger,
    audit,
    sessions,
    ledger,
    creditReversals,
    ingest: createIngestService(storage, db, ledger, creditReversals, delivery, audit, clock),
    credits,
    policy: createPolicyService(storage, audit, clock),
    auth,
    /** Single sign-on, when OIDC_ISSUER turns it on. */
    oidc: config.oidc ? createOidcService(storage, config.oidc, auth, clock) : null,
    staff: createStaffService(storage, audit, sessions, clock),
    /** Whether credits can reach the studio at all, as every staff session is told. */
    studioDelivery,
    delivery,
    /** Pushes credit events to the studio; null when push is off. Not running until started. */
    dispatcher,
    metrics,
  };
}
export type AppContext = ReturnType<typeof createContext>;
