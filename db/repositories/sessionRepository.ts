import type { Queryable, Transaction } from '../storage/types.ts';
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

/** The session lookup's row: the session's columns and its staff member's. */
type JoinedRow = SessionRow & Pick<StaffRow, 'email' | 'name' | 'role' | 'disabled' | 'must_change_password'>;

const sql = {
  insert: `INSERT INTO sessions
    (id_hash, staff_id, csrf_token, created_at, last_seen_at, expires_at, client_ip, user_agent)
    VALUES (@id_hash, @staff_id, @csrf_token, @created_at, @last_seen_at, @expires_at, @client_ip, @user_agent)`,
  find: `SELECT s.id_hash, s.staff_id, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.client_ip, s.user_agent,
      st.email, st.name, st.role, st.disabled, st.must_change_password
      FROM sessions s JOIN staff st ON st.id = s.staff_id WHERE s.id_hash = ?`,
  touch: 'UPDATE sessions SET last_seen_at = @last_seen_at WHERE id_hash = @id_hash',
  remove: 'DELETE FROM sessions WHERE id_hash = ?',
  removeForStaff: 'DELETE FROM sessions WHERE staff_id = ?',
  removeOthers: 'DELETE FROM sessions WHERE staff_id = @staff_id AND id_hash <> @keep',
  removeExpired: 'DELETE FROM sessions WHERE expires_at <= @now OR last_seen_at <= @idle_before',
};

const withStaff = (row: JoinedRow): SessionWithStaff => {
  const { email, name, role, disabled, must_change_password, ...session } = row;
  return { ...session, staff: { id: session.staff_id, email, name, role, disabled, must_change_password } };
};

/** Staff sessions (stored by the SHA-256 of their cookie) through the storage seam (db/storage/types.ts). */
export const sessionRepository = {
  insert: async (tx: Transaction, row: SessionRow): Promise<void> => {
    await tx.run(sql.insert, row);
  },
  /** The session and its staff member in one read: the session check of every request. */
  find: async (q: Queryable, idHash: string): Promise<SessionWithStaff | undefined> => {
    const row = await q.get<JoinedRow>(sql.find, [idHash]);
    return row && withStaff(row);
  },
  touch: async (tx: Transaction, idHash: string, lastSeenAt: string): Promise<void> => {
    await tx.run(sql.touch, { id_hash: idHash, last_seen_at: lastSeenAt });
  },
  remove: async (tx: Transaction, idHash: string): Promise<void> => {
    await tx.run(sql.remove, [idHash]);
  },
  /** Ends every session of a staff member (disable, role change). Returns how many. */
  removeForStaff: async (tx: Transaction, staffId: string): Promise<number> => (await tx.run(sql.removeForStaff, [staffId])).changes,
  removeOthers: async (tx: Transaction, staffId: string, keepIdHash: string): Promise<number> =>
    (await tx.run(sql.removeOthers, { staff_id: staffId, keep: keepIdHash })).changes,
  removeExpired: async (tx: Transaction, now: string, idleBefore: string): Promise<number> =>
    (await tx.run(sql.removeExpired, { now, idle_before: idleBefore })).changes,
};
