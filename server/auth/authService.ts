import type { Db } from '../../db/connection.ts';
import { createStaffRepository } from '../../db/repositories/staffRepository.ts';
import type { LoginRequest, SessionInfo } from '../../shared/auth.ts';
import type { AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { InvalidCredentials } from '../errors.ts';
import { decoyHash, verifyPassword } from './passwords.ts';
import type { Sessions, StartedSession } from './sessions.ts';

export interface LoginOrigin extends RequestOrigin {
  userAgent: string | null;
  /** The cookie the browser sent, if any: that session ends, so the id rotates. */
  previousToken: string | undefined;
}

export function createAuthService(db: Db, audit: AuditLog, sessions: Sessions) {
  const staffRepo = createStaffRepository(db);

  /**
   * Checks the password (always at full scrypt cost, known e-mail or not),
   * then in one transaction opens the session and audits the sign-in, or
   * audits the failure and throws InvalidCredentials.
   */
  async function login(input: LoginRequest, origin: LoginOrigin): Promise<{ session: StartedSession; info: SessionInfo }> {
    const staff = staffRepo.byEmail(input.email);
    const passwordOk = await verifyPassword(input.password, staff?.password_hash ?? (await decoyHash()));
    const accepted = staff !== undefined && staff.password_hash !== null && passwordOk && staff.disabled === 0;

    if (!accepted || !staff) {
      db.transaction(() => {
        audit.record({
          actor: { type: 'anonymous', id: input.email.toLowerCase() },
          action: 'auth.login_failed',
          entityType: 'staff',
          entityId: staff?.id ?? null,
          reason: !staff ? 'unknown e-mail' : staff.disabled ? 'account disabled' : 'wrong password',
          origin,
        });
      }).immediate();
      throw new InvalidCredentials();
    }

    const session = db
      .transaction(() => {
        if (origin.previousToken) sessions.end(origin.previousToken);
        const started = sessions.start(staff.id, origin);
        audit.record({
          actor: { type: 'staff', id: staff.id, name: staff.name },
          action: 'auth.login',
          entityType: 'staff',
          entityId: staff.id,
          origin,
        });
        return started;
      })
      .immediate();
    return {
      session,
      info: {
        user: { id: staff.id, email: staff.email, name: staff.name, role: staff.role, must_change_password: staff.must_change_password === 1 },
        csrf_token: session.csrfToken,
      },
    };
  }

  function logout(token: string, staff: { id: string; name: string }, origin: RequestOrigin): void {
    db.transaction(() => {
      sessions.end(token);
      audit.record({ actor: { type: 'staff', id: staff.id, name: staff.name }, action: 'auth.logout', entityType: 'staff', entityId: staff.id, origin });
    }).immediate();
  }

  return { login, logout };
}
export type AuthService = ReturnType<typeof createAuthService>;
