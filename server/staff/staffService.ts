import type { Db } from '../../db/connection.ts';
import { createStaffRepository, type StaffRow } from '../../db/repositories/staffRepository.ts';
import type { StaffCreate, StaffRecord } from '../../shared/staff.ts';
import type { Actor, AuditLog, RequestOrigin } from '../audit/auditLog.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Sessions } from '../auth/sessions.ts';
import { isoNow, type Clock } from '../clock.ts';
import { Conflict, NotFound } from '../errors.ts';
import { newId } from '../ids.ts';

export const rowToStaff = (row: StaffRow): StaffRecord => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role,
  disabled: row.disabled === 1,
  created_at: row.created_at,
  updated_at: row.updated_at,
});

export function createStaffService(db: Db, audit: AuditLog, sessions: Sessions, clock: Clock) {
  const repo = createStaffRepository(db);

  async function create(input: StaffCreate, actor: Actor, origin?: RequestOrigin): Promise<StaffRecord> {
    // The slow hash runs before the write transaction, which must not await.
    const passwordHash = await hashPassword(input.password);
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
          must_change_password: 0,
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

  /** Disables an account and ends its sessions at once, in one transaction. */
  function disable(email: string, actor: Actor, origin?: RequestOrigin): { staff: StaffRecord; sessionsEnded: number } {
    return db
      .transaction(() => {
        const row = repo.byEmail(email);
        if (!row) throw new NotFound('Staff account', email);
        const before = rowToStaff(row);
        const now = isoNow(clock);
        repo.setDisabled(row.id, true, now);
        const sessionsEnded = sessions.endAllFor(row.id);
        const after = { ...before, disabled: true, updated_at: now };
        audit.record({ actor, action: 'staff.disabled', entityType: 'staff', entityId: row.id, before, after, origin });
        return { staff: after, sessionsEnded };
      })
      .immediate();
  }

  return { create, disable, byEmail: repo.byEmail, byId: repo.byId, count: repo.count };
}
export type StaffService = ReturnType<typeof createStaffService>;
