import type { Db } from '../../db/connection.ts';
import { createStaffRepository, type StaffRow } from '../../db/repositories/staffRepository.ts';
import type { LoginRequest, SessionInfo } from '../../shared/auth.ts';
import type { StudioDeliverySettings } from '../../shared/delivery.ts';
import type { AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { InvalidCredentials } from '../errors.ts';
import { decoyHash, verifyPassword } from './passwords.ts';
import type { Sessions, StartedSession } from './sessions.ts';

export interface LoginOrigin extends RequestOrigin {
  userAgent: string | null;
  /** The cookie the browser sent, if any: that session ends, so the id rotates. */
  previousToken: string | undefined;
}

/**
 * How someone proved who they are, as the audit event of the sign-in (or of
 * its refusal) records it: the method, and for single sign-on the identity
 * provider's subject and whether this sign-in linked it to the account.
 */
export type SignInDetails = { method: 'password' } | { method: 'sso'; subject: string; subject_linked?: boolean };

export interface SignedIn {
  session: StartedSession;
  info: SessionInfo;
}

export interface SignInRefusal {
  /** What the person gave as who they are: the e-mail typed in, or the one the identity provider vouched for. */
  email: string;
  staff: StaffRow | undefined;
  reason: string;
  details: SignInDetails;
}

/** What every session is told about the console's settings, whoever signs in. */
export interface SessionSettings {
  studioDelivery: StudioDeliverySettings;
  helpdeskTicketUrl: string | null;
}

export function createAuthService(db: Db, audit: AuditLog, sessions: Sessions, settings: SessionSettings) {
  const staffRepo = createStaffRepository(db);

  /**
   * Ends the browser's previous session, opens a new one and audits the
   * sign-in. Every way in ends here, so sessions never differ by how they
   * began. Runs inside the caller's write transaction: the session and its
   * audit event commit together.
   */
  function openSession(staff: StaffRow, origin: LoginOrigin, details: SignInDetails): SignedIn {
    if (origin.previousToken) sessions.end(origin.previousToken);
    const session = sessions.start(staff.id, origin);
    audit.record({
      actor: { type: 'staff', id: staff.id, name: staff.name },
      action: 'auth.login',
      entityType: 'staff',
      entityId: staff.id,
      after: details,
      origin,
    });
    return {
      session,
      info: {
        user: { id: staff.id, email: staff.email, name: staff.name, role: staff.role, must_change_password: staff.must_change_password === 1 },
        csrf_token: session.csrfToken,
        studio_delivery: settings.studioDelivery,
        helpdesk_ticket_url: settings.helpdeskTicketUrl,
      },
    };
  }

  /** Audits a refused sign-in. Runs inside the caller's write transaction. */
  function recordRefusal(refusal: SignInRefusal, origin: RequestOrigin): void {
    audit.record({
      actor: { type: 'anonymous', id: refusal.email.toLowerCase() },
      action: 'auth.login_failed',
      entityType: 'staff',
      entityId: refusal.staff?.id ?? null,
      reason: refusal.reason,
      after: refusal.details,
      origin,
    });
  }

  /**
   * Checks the password (always at full scrypt cost, known e-mail or not),
   * then in one transaction opens the session and audits the sign-in, or
   * audits the failure and throws InvalidCredentials.
   */
  async function login(input: LoginRequest, origin: LoginOrigin): Promise<SignedIn> {
    const staff = staffRepo.byEmail(input.email);
    const passwordOk = await verifyPassword(input.password, staff?.password_hash ?? (await decoyHash()));
    const accepted = staff !== undefined && staff.password_hash !== null && passwordOk && staff.disabled === 0;

    if (!accepted || !staff) {
      const reason = !staff ? 'unknown e-mail' : staff.disabled ? 'account disabled' : 'wrong password';
      db.transaction(() => recordRefusal({ email: input.email, staff, reason, details: { method: 'password' } }, origin)).immediate();
      throw new InvalidCredentials();
    }
    return db.transaction(() => openSession(staff, origin, { method: 'password' })).immediate();
  }

  function logout(token: string, staff: { id: string; name: string }, origin: RequestOrigin): void {
    db.transaction(() => {
      sessions.end(token);
      audit.record({ actor: { type: 'staff', id: staff.id, name: staff.name }, action: 'auth.logout', entityType: 'staff', entityId: staff.id, origin });
    }).immediate();
  }

  return { login, logout, openSession, recordRefusal };
}
export type AuthService = ReturnType<typeof createAuthService>;
