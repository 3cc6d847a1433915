import { randomBytes } from 'node:crypto';
import { staffRepository, type StaffRow } from '../../db/repositories/staffRepository.ts';
import type { Queryable, Storage, Transaction } from '../../db/storage/types.ts';
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

type StaffChange = Pick<StaffRow, 'id' | 'name' | 'role' | 'disabled' | 'updated_at'>;

/** Whether a change takes away the last active admin's admin rights (by demotion or by disabling). */
const losesAdmin = (row: StaffRow, next: StaffChange): boolean =>
  row.role === 'admin' && row.disabled === 0 && (next.role !== 'admin' || next.disabled === 1);

const lastAdmin = () => new Conflict('last_admin', 'This is the last active admin: make someone else admin first.');

/** Staff accounts, through the storage seam. */
export function createStaffService(storage: Storage, audit: AuditLog, sessions: Sessions, clock: Clock) {

  function insert(input: StaffCreate, passwordHash: string, mustChange: boolean, actor: Actor, origin?: RequestOrigin): Promise<StaffRecord> {
    return storage.transaction(async (tx) => {
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
      // The insert itself tells a taken e-mail, also one taken a moment ago by another instance.
      if (!(await staffRepository.insertNew(tx, row))) {
        throw new Conflict('email_taken', `A staff account with e-mail ${input.email} already exists.`);
      }
      const record = rowToStaff(row);
      await audit.append(tx, { actor, action: 'staff.created', entityType: 'staff', entityId: row.id, after: record, origin });
      return record;
    });
  }

  /** An account with a password its owner chose (command line, demo accounts). */
  async function create(input: StaffCreate, actor: Actor, origin?: RequestOrigin): Promise<StaffRecord> {
    // The slow hash runs before the write transaction, which awaits nothing but the database.
    return insert(input, await hashPassword(input.password), false, actor, origin);
  }

  /**
   * Onboarding by an admin: a generated temporary password, shown once, that
   * must be changed at first sign-in (nothing else is allowed until then).
   */
  async function invite(input: StaffInvite, actor: Actor, origin?: RequestOrigin): Promise<StaffWithPassword> {
    const password = temporaryPassword();
    const record = await insert({ ...input, password }, await hashPassword(password), true, actor, origin);
    return { ...record, temporary_password: password };
  }

  async function mustFind(q: Queryable, id: string): Promise<StaffRow> {
    const row = await staffRepository.byId(q, id);
    if (!row) throw new NotFound('Staff account', id);
    return row;
  }

  /** The account about to change, locked on PostgreSQL until the transaction ends. */
  async function mustLock(tx: Transaction, id: string): Promise<StaffRow> {
    const row = await staffRepository.byIdForUpdate(tx, id);
    if (!row) throw new NotFound('Staff account', id);
    return row;
  }

  /**
   * The account to update, locked. When it is an active admin, every active admin's row is locked
   * first, in id order, so that concurrent demotions wait for each other instead of each counting
   * the other as the admin who remains, and take their locks in one order: PostgreSQL runs at READ
   * COMMITTED (docs/postgres.md, The storage seam), where a plain count would see neither demotion.
   */
  async function lockForUpdate(tx: Transaction, id: string): Promise<{ row: StaffRow; activeAdmins: string[] | null }> {
    const seen = await mustFind(tx, id);
    const activeAdmins = seen.role === 'admin' && seen.disabled === 0 ? await staffRepository.lockActiveAdmins(tx) : null;
    return { row: await mustLock(tx, id), activeAdmins };
  }

  /**
   * Name, role and disabled flag. The last active admin can be neither
   * disabled nor demoted; disabling ends the person's sessions at once.
   * Read-only fields sent along (the whole record, as simple-REST clients
   * send it) must match the stored ones: a difference is a 400 naming each,
   * and nothing is written. A change that changes nothing writes nothing.
   */
  function applyUpdate(id: string, changes: StaffPut, actor: Actor, origin?: RequestOrigin): Promise<{ staff: StaffRecord; sessionsEnded: number }> {
    return storage.transaction(async (tx) => {
      const locked = await lockForUpdate(tx, id);
      const { row } = locked;
      const refused = readOnlyChanges(rowToStaff(row), changes);
      if (Object.keys(refused).length > 0) throw new ValidationFailed(refused);
      const next: StaffChange = {
        id: row.id,
        name: changes.name ?? row.name,
        role: changes.role ?? row.role,
        disabled: changes.disabled === undefined ? row.disabled : changes.disabled ? 1 : 0,
        updated_at: isoNow(clock),
      };
      if (next.name === row.name && next.role === row.role && next.disabled === row.disabled) return { staff: rowToStaff(row), sessionsEnded: 0 };
      if (losesAdmin(row, next)) {
        // Made admin between the two reads above: its admins are locked now (a rare race; on
        // PostgreSQL a deadlock it causes is retried from the start).
        const activeAdmins = locked.activeAdmins ?? (await staffRepository.lockActiveAdmins(tx));
        if (activeAdmins.filter((adminId) => adminId !== row.id).length === 0) throw lastAdmin();
      }
      await staffRepository.update(tx, next);
      const sessionsEnded = next.disabled === 1 && row.disabled === 0 ? await sessions.endAllFor(tx, row.id) : 0;
      const before = rowToStaff(row);
      const after = rowToStaff({ ...row, ...next });
      const action = next.disabled !== row.disabled ? (next.disabled ? 'staff.disabled' : 'staff.enabled') : 'staff.updated';
      await audit.append(tx, { actor, action, entityType: 'staff', entityId: row.id, before, after: { ...after, sessions_ended: sessionsEnded }, origin });
      return { staff: after, sessionsEnded };
    });
  }

  const update = async (id: string, changes: StaffPut, actor: Actor, origin?: RequestOrigin): Promise<StaffRecord> =>
    (await applyUpdate(id, changes, actor, origin)).staff;

  /** Disables an account by e-mail and ends its sessions (the command-line path). */
  async function disable(email: string, actor: Actor, origin?: RequestOrigin): Promise<{ staff: StaffRecord; sessionsEnded: number }> {
    const row = await staffRepository.byEmail(storage, email);
    if (!row) throw new NotFound('Staff account', email);
    return applyUpdate(row.id, { disabled: true }, actor, origin);
  }

  function endSessions(id: string, actor: Actor, origin?: RequestOrigin): Promise<number> {
    return storage.transaction(async (tx) => {
      await mustLock(tx, id);
      const ended = await sessions.endAllFor(tx, id);
      await audit.append(tx, { actor, action: 'staff.sessions_ended', entityType: 'staff', entityId: id, after: { sessions_ended: ended }, origin });
      return ended;
    });
  }

  async function resetPassword(id: string, actor: Actor, origin?: RequestOrigin): Promise<StaffWithPassword> {
    await mustFind(storage, id);
    const password = temporaryPassword();
    const hash = await hashPassword(password);
    return storage.transaction(async (tx) => {
      const row = await mustLock(tx, id);
      const now = isoNow(clock);
      await staffRepository.setPassword(tx, { id, password_hash: hash, must_change_password: 1, updated_at: now });
      const ended = await sessions.endAllFor(tx, id);
      await audit.append(tx, { actor, action: 'staff.password_reset', entityType: 'staff', entityId: id, after: { sessions_ended: ended }, origin });
      return { ...rowToStaff({ ...row, must_change_password: 1, updated_at: now }), temporary_password: password };
    });
  }

  /** Audits a refused password change; whoever holds the session may be guessing. */
  const recordWrongPassword = (tx: Transaction, row: StaffRow, reason: string, origin?: RequestOrigin) =>
    audit.append(tx, { actor: { type: 'staff', id: row.id, name: row.name }, action: 'auth.password_change_failed', entityType: 'staff', entityId: row.id, reason, origin });

  /**
   * A signed-in person changes their own password; their other sessions end.
   * A wrong current password is audited (whoever holds the session may be
   * guessing) and throws WrongCurrentPassword. Both hashes are computed before
   * the write transaction, which checks the password checked is still the account's.
   */
  async function changeOwnPassword(id: string, input: PasswordChange, sessionToken: string, origin?: RequestOrigin): Promise<StaffRecord> {
    const row = await mustFind(storage, id);
    if (!row.password_hash || !(await verifyPassword(input.current_password, row.password_hash))) {
      const reason = row.password_hash ? 'wrong current password' : 'no password set';
      await storage.transaction((tx) => recordWrongPassword(tx, row, reason, origin));
      throw new WrongCurrentPassword();
    }
    if (input.new_password === input.current_password) throw new ValidationFailed({ new_password: 'must differ from the current password' });
    const hash = await hashPassword(input.new_password);
    const changed = await storage.transaction(async (tx): Promise<StaffRecord | null> => {
      const current = await mustLock(tx, id);
      // Changed or reset meanwhile: the current password given is no longer the account's.
      if (current.password_hash !== row.password_hash) {
        await recordWrongPassword(tx, current, 'wrong current password', origin);
        return null;
      }
      const now = isoNow(clock);
      await staffRepository.setPassword(tx, { id, password_hash: hash, must_change_password: 0, updated_at: now });
      const ended = await sessions.endOthers(tx, id, sessionToken);
      await audit.append(tx, { actor: { type: 'staff', id, name: current.name }, action: 'auth.password_changed', entityType: 'staff', entityId: id, after: { other_sessions_ended: ended }, origin });
      return rowToStaff({ ...current, must_change_password: 0, updated_at: now });
    });
    if (!changed) throw new WrongCurrentPassword();
    return changed;
  }

  return {
    create,
    invite,
    update,
    disable,
    endSessions,
    resetPassword,
    changeOwnPassword,
    byEmail: (email: string): Promise<StaffRow | undefined> => staffRepository.byEmail(storage, email),
    count: (): Promise<number> => staffRepository.count(storage),
  };
}
export type StaffService = ReturnType<typeof createStaffService>;
