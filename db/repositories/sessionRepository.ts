import type { Db } from '../connection.ts';
import type { StaffRow } from './staffRepository.ts';

export interface SessionRow {
  id_hash: string;
  staff_id: string;
  csrf_token: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  client_ip: string | null;
  user_agent: string | null;
}

export type SessionWithStaff = SessionRow & {
  staff: Pick<StaffRow, 'id' | 'email' | 'name' | 'role' | 'disabled' | 'must_change_password'>;
};

/** The columns of the session lookup, in its SELECT's order. */
type JoinedRow = [
  ...[SessionRow['id_hash'], SessionRow['staff_id'], SessionRow['csrf_token'], SessionRow['created_at']],
  ...[SessionRow['last_seen_at'], SessionRow['expires_at'], SessionRow['client_ip'], SessionRow['user_agent']],
  ...[StaffRow['email'], StaffRow['name'], StaffRow['role'], StaffRow['disabled'], StaffRow['must_change_password']],
];

export function createSessionRepository(db: Db) {
  const insert = db.prepare<SessionRow>(`INSERT INTO sessions
    (id_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at, client_ip, user_agent)
    VALUES (@id_hash, @staff_id, @csrf_token, @created_at, @last_seen_at, @expires_at, @client_ip, @user_agent)`);
  // Raw rows, in this column order: the session is built once, not as a row object and then again.
  const find = db
    .prepare<[string], unknown[]>(`SELECT s.id_hash, s.staff_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.client_ip, s.user_agent,
      st.email, st.name, st.role, st.disabled, st.must_change_password
      FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE s.id_hash = ?`)
    .raw();
  const touch = db.prepare<{ id_hash: string; last_seen_at: string }>(
    'UPDATE sessions SET last_seen_at = @last_seen_at WHERE id_hash = @id_hash',
  );
  const remove = db.prepare<[string]>('DELETE FROM sessions WHERE id_hash = ?');
  const removeForStaff = db.prepare<[string]>('DELETE FROM sessions WHERE staff_id = ?');
  const removeOthers = db.prepare<{ staff_id: string; keep: string }>('DELETE FROM sessions WHERE staff_id = @staff_id AND id_hash <> @keep');
  const removeExpired = db.prepare<{ now: string; idle_before: string }>(
    'DELETE FROM sessions WHERE expires_at <= @now OR last_seen_at <= @idle_before',
  );

  return {
    insert: (row: SessionRow): void => {
      insert.run(row);
    },
    find: (idHash: string): SessionWithStaff | undefined => {
      const row = find.get(idHash) as JoinedRow | undefined;
      if (!row) return undefined;
      const [id_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at, client_ip, user_agent, email, name, role, disabled, mustChange] = row;
      return {
        id_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at, client_ip, user_agent,
        staff: { id: staff_id, email, name, role, disabled, must_change_password: mustChange },
      };
    },
    touch: (idHash: string, lastSeenAt: string): void => {
      touch.run({ id_hash: idHash, last_seen_at: lastSeenAt });
    },
    remove: (idHash: string): void => {
      remove.run(idHash);
    },
    /** Ends every session of a staff member (disable, role change). Returns how many. */
    removeForStaff: (staffId: string): number => removeForStaff.run(staffId).changes,
    removeOthers: (staffId: string, keepIdHash: string): number => removeOthers.run({ staff_id: staffId, keep: keepIdHash }).changes,
    removeExpired: (now: string, idleBefore: string): number =>
      removeExpired.run({ now, idle_before: idleBefore }).changes,
  };
}
export type SessionRepository = ReturnType<typeof createSessionRepository>;
