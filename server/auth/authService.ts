import { staffRepository, type StaffRow } from '../../db/repositories/staffRepository.ts';
import type { Storage, Transaction } from '../../db/storage/types.ts';
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

type Judged = { accepted: StaffRow } | { refused: string };

/** Whether a password sign-in is accepted, judged on the account as it is now (`current`). */
function judge(verified: StaffRow | undefined, current: StaffRow | undefined, passwordOk: boolean): Judged {
  if (!current) return { refused: 'unknown e-mail' };
  if (current.disabled) return { refused: 'account disabled' };
  // A password changed or reset since it was checked: the one given is no longer the account's.
  const stillVerified = verified !== undefined && verified.password_hash === current.password_hash;
  return current.password_hash !== null && passwordOk && stillVerified ? { accepted: current } : { refused: 'wrong password' };
}

export function createAuthService(storage: Storage, audit: AuditLog, sessions: Sessions, settings: SessionSettings) {
  /**
   * Ends the browser's previous session, opens a new one and audits the
   * sign-in, in the caller's transaction: the session and its audit event
   * commit together. Every way in ends here, so sessions never differ by how
   * they began.
   */
  async function openSession(tx: Transaction, staff: StaffRow, origin: LoginOrigin, details: SignInDetails): Promise<SignedIn> {
    if (origin.previousToken) await sessions.end(tx, origin.previousToken);
    const session = await sessions.start(tx, staff.id, origin);
    await audit.append(tx, {
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

  /** Audits a refused sign-in, in the caller's transaction. */
  async function recordRefusal(tx: Transaction, refusal: SignInRefusal, origin: RequestOrigin): Promise<void> {
    await audit.append(tx, {
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
   * Checks the password (always at full scrypt cost, known e-mail or not,
   * and before the transaction, which awaits nothing but the database), then
   * in one transaction opens the session and audits the sign-in, or audits
   * the failure and throws InvalidCredentials.
   */
  async function login(input: LoginRequest, origin: LoginOrigin): Promise<SignedIn> {
    const verified = await staffRepository.byEmail(storage, input.email);
    const passwordOk = await verifyPassword(input.password, verified?.password_hash ?? (await decoyHash()));
    const signedIn = await storage.transaction(async (tx): Promise<SignedIn | null> => {
      // Read again, held until the commit on PostgreSQL: an account disabled or given a new password
      // since the check is judged as it is now, and a reset that ends its sessions cannot miss this one.
      const current = verified && (await staffRepository.byIdForShare(tx, verified.id));
      const judged = judge(verified, current, passwordOk);
      if ('refused' in judged) {
        await recordRefusal(tx, { email: input.email, staff: current, reason: judged.refused, details: { method: 'password' } }, origin);
        return null;
      }
      return openSession(tx, judged.accepted, origin, { method: 'password' });
    });
    if (!signedIn) throw new InvalidCredentials();
    return signedIn;
  }

  function logout(token: string, staff: { id: string; name: string }, origin: RequestOrigin): Promise<void> {
    return storage.transaction(async (tx) => {
      await sessions.end(tx, token);
      await audit.append(tx, { actor: { type: 'staff', id: staff.id, name: staff.name }, action: 'auth.logout', entityType: 'staff', entityId: staff.id, origin });
    });
  }

  return { login, logout, openSession, recordRefusal };
}
export type AuthService = ReturnType<typeof createAuthService>;
