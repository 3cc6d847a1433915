import { randomBytes } from 'node:crypto';
import type { Db } from '../../db/connection.ts';
import { createStaffRepository, type StaffRow } from '../../db/repositories/staffRepository.ts';
import {
  staffReadOnlyFields,
  type PasswordChange,
  type StaffCreate,
  type StaffInvite,
  type StaffPut,
  type StaffRecord,
  type StaffWithPassword,
} from '../../shared/staff.ts';
import type { Actor, AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { hashPassword, verifyPassword } from '../auth/passwords.ts';
import type { Sessions } from '../auth/sessions.ts';
import { isoNow, type Clock } from '../clock.ts';
import { Conflict, NotFound, ValidationFailed } from '../errors.ts';
import { newId } from '../ids.ts';

export const rowToStaff = (row: StaffRow): StaffRecord => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  disabled: row.disabled === 1,
  must_change_password: row.must_change_password === 1,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

/**
 * The current password given to a password change is wrong. Answered like any
 * field error; the route counts it towards the per-account limit on guesses.
 */
export class WrongCurrentPassword extends ValidationFailed {
  constructor() {
    super({ current_password: 'is not your current password' });
  }
}

/**
 * The read-only fields a PUT sent that differ from the stored record, each with why it was
 * refused; empty when the body left them out or sent them back as they are.
 */
function readOnlyChanges(stored: StaffRecord, sent: StaffPut): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const field of staffReadOnlyFields) {
    const value = sent[field];
    if (value === undefined || value === stored[field]) continue;
    errors[field] =
      field === 'updated_at'
        ? `is read-only and is ${stored.updated_at} now: the account changed since it was read; reload it and try again`
        : `is read-only: send it as the account has it (${JSON.stringify(stored[field])}) or leave it out`;
  }
  return errors;
}

/** 18 random bytes as base64url: 24 characters, 144 bits. */
const temporaryPassword = (): string => randomBytes(18).toString('base64url');

export function createStaffService(db: Db, audit: AuditLog, sessions: Sessions, clock: Clock) {
  const repo = createStaffRepository(db);

  function insert(input: StaffCreate, passwordHash: string, mustChange: boolean, actor: Actor, origin?: RequestOrigin): StaffRecord {
    return db
      .transaction(() => {
        if (repo.byEmail(input.email)) {
          throw new Conflict('email_taken', `A staff account with e-mail ${input.email} already exists.`);
        }
        const now = isoNow(clock);
        const row: StaffRow = {
          id: newId('stf', clock().getTime()),
          email: input.email,
          name: input.name,
          role: input.role,
          disabled: 0,
          password_hash: passwordHash,
          must_change_password: mustChange ? 1 : 0,
          external_subject: null,
          created_at: now,
          updated_at: now,
        };
        repo.insert(row);
        const record = rowToStaff(row);
        audit.record({ actor, action: 'staff.created', entityType: 'staff', entityId: row.id, after: record, origin });
        return record;
      })
      .immediate();
  }

  /** An account with a password its owner chose (command line, demo accounts). */
  async function create(input: StaffCreate, actor: Actor, origin?: RequestOrigin): Promise<StaffRecord> {
    // The slow hash runs before the write transaction, which must not await.
    return insert(input, await hashPassword(input.password), false, actor, origin);
  }

  /**
   * Onboarding by an admin: a generated temporary password, shown once, that
   * must be changed at first sign-in (nothing else is allowed until then).
   */
  async function invite(input: StaffInvite, actor: Actor, origin?: RequestOrigin): Promise<StaffWithPassword> {
    const password = temporaryPassword();
    const record = insert({ ...input, password }, await hashPassword(password), true, actor, origin);
    return { ...record, temporary_password: password };
  }

  function mustFind(id: string): StaffRow {
    const row = repo.byId(id);
    if (!row) throw new NotFound('Staff account', id);
    return row;
  }

  /**
   * Name, role and disabled flag. The last active admin can be neither
   * disabled nor demoted; disabling ends the person's sessions at once.
   * Read-only fields sent along (the whole record, as simple-REST clients
   * send it) must match the stored ones: a difference is a 400 naming each,
   * and nothing is written. A change that changes nothing writes nothing.
   */
  function applyUpdate(id: string, changes: StaffPut, actor: Actor, origin?: RequestOrigin): { staff: StaffRecord; sessionsEnded: number } {
    return db
      .transaction(() => {
        const row = mustFind(id);
        const refused = readOnlyChanges(rowToStaff(row), changes);
        if (Object.keys(refused).length > 0) throw new ValidationFailed(refused);
        const next = {
          id: row.id,
          name: changes.name ?? row.name,
          role: changes.role ?? row.role,
          disabled: changes.disabled === undefined ? row.disabled : changes.disabled ? (1 as const) : (0 as const),
          updated_at: isoNow(clock),
        };
        if (next.name === row.name && next.role === row.role && next.disabled === row.disabled) return { staff: rowToStaff(row), sessionsEnded: 0 };
        const losesAdmin = row.role === 'admin' && row.disabled === 0 && (next.role !== 'admin' || next.disabled === 1);
        if (losesAdmin && repo.activeAdminCount() <= 1) {
          throw new Conflict('last_admin', 'This is the last active admin: make someone else admin first.');
        }
        repo.update(next);
        const sessionsEnded = next.disabled === 1 && row.disabled === 0 ? sessions.endAllFor(row.id) : 0;
        const before = rowToStaff(row);
        const after = rowToStaff({ ...row, ...next });
        const action = next.disabled !== row.disabled ? (next.disabled ? 'staff.disabled' : 'staff.enabled') : 'staff.updated';
        audit.record({ actor, action, entityType: 'staff', entityId: row.id, before, after: { ...after, sessions_ended: sessionsEnded }, origin });
        return { staff: after, sessionsEnded };
      })
      .immediate();
  }

  const update = (id: string, changes: StaffPut, actor: Actor, origin?: RequestOrigin): StaffRecord =>
    applyUpdate(id, changes, actor, origin).staff;

  /** Disables an account by e-mail and ends its sessions (the command-line path). */
  function disable(email: string, actor: Actor, origin?: RequestOrigin): { staff: StaffRecord; sessionsEnded: number } {
    const row = repo.byEmail(email);
    if (!row) throw new NotFound('Staff account', email);
    return applyUpdate(row.id, { disabled: true }, actor, origin);
  }

  function endSessions(id: string, actor: Actor, origin?: RequestOrigin): number {
    return db
      .transaction(() => {
        mustFind(id);
        const ended = sessions.endAllFor(id);
        audit.record({ actor, action: 'staff.sessions_ended', entityType: 'staff', entityId: id, after: { sessions_ended: ended }, origin });
        return ended;
      })
      .immediate();
  }

  async function resetPassword(id: string, actor: Actor, origin?: RequestOrigin): Promise<StaffWithPassword> {
    mustFind(id);
    const password = temporaryPassword();
    const hash = await hashPassword(password);
    return db
      .transaction(() => {
        const row = mustFind(id);
        const now = isoNow(clock);
        repo.setPassword({ id, password_hash: hash, must_change_password: 1, updated_at: now });
        const ended = sessions.endAllFor(id);
        audit.record({ actor, action: 'staff.password_reset', entityType: 'staff', entityId: id, after: { sessions_ended: ended }, origin });
        return { ...rowToStaff({ ...row, must_change_password: 1, updated_at: now }), temporary_password: password };
      })
      .immediate();
  }

  /**
   * A signed-in person changes their own password; their other sessions end.
   * A wrong current password is audited (whoever holds the session may be
   * guessing) and throws WrongCurrentPassword.
   */
  async function changeOwnPassword(id: string, input: PasswordChange, sessionToken: string, origin?: RequestOrigin): Promise<StaffRecord> {
    const row = mustFind(id);
    if (!row.password_hash || !(await verifyPassword(input.current_password, row.password_hash))) {
      const reason = row.password_hash ? 'wrong current password' : 'no password set';
      db.transaction(() => {
        audit.record({ actor: { type: 'staff', id, name: row.name }, action: 'auth.password_change_failed', entityType: 'staff', entityId: id, reason, origin });
      }).immediate();
      throw new WrongCurrentPassword();
    }
    if (input.new_password === input.current_password) throw new ValidationFailed({ new_password: 'must differ from the current password' });
    const hash = await hashPassword(input.new_password);
    return db
      .transaction(() => {
        const now = isoNow(clock);
        repo.setPassword({ id, password_hash: hash, must_change_password: 0, updated_at: now });
        const ended = sessions.endOthers(id, sessionToken);
        audit.record({ actor: { type: 'staff', id, name: row.name }, action: 'auth.password_changed', entityType: 'staff', entityId: id, after: { other_sessions_ended: ended }, origin });
        return rowToStaff({ ...row, must_change_password: 0, updated_at: now });
      })
      .immediate();
  }

  return { create, invite, update, disable, endSessions, resetPassword, changeOwnPassword, byEmail: repo.byEmail, byId: repo.byId, count: repo.count };
}
export type StaffService = ReturnType<typeof createStaffService>;
