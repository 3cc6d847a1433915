import type { Db } from '../connection.ts';
import type { Role } from '../../shared/roles.ts';
import type { Queryable, Transaction } from '../storage/types.ts';

export interface StaffRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: 0 | 1;
  password_hash: string | null;
  must_change_password: 0 | 1;
  external_subject: string | null;
  created_at: string;
  updated_at: string;
}

type StaffChange = Pick<StaffRow, 'id' | 'name' | 'role' | 'disabled' | 'updated_at'>;
type PasswordChange = Pick<StaffRow, 'id' | 'password_hash' | 'must_change_password' | 'updated_at'>;

const insert = `INSERT INTO staff
    (id, email, name, role, disabled, password_hash, must_change_password, external_subject, created_at, updated_at)
    VALUES (@id, @email, @name, @role, @disabled, @password_hash, @must_change_password, @external_subject, @created_at, @updated_at)`;
const byId = 'SELECT * FROM staff WHERE id = ?';
// SQLite's column is `UNIQUE COLLATE NOCASE`; PostgreSQL's unique index is on lower(email), which this uses.
const byEmail = { sqlite: 'SELECT * FROM staff WHERE email = ?', postgres: 'SELECT * FROM staff WHERE lower(email) = lower(?)' };
const activeAdmins = "SELECT id FROM staff WHERE role = 'admin' AND disabled = 0 ORDER BY id";

const sql = {
  insert,
  // ON CONFLICT DO NOTHING on both engines: an account made meanwhile by someone else with the same
  // e-mail (the only unique column a new account can collide on) is told apart from any other failure.
  insertNew: `${insert} ON CONFLICT DO NOTHING`,
  byId,
  byIdForShare: { sqlite: byId, postgres: `${byId} FOR SHARE` },
  byIdForUpdate: { sqlite: byId, postgres: `${byId} FOR UPDATE` },
  byEmail,
  byEmailForUpdate: { sqlite: byEmail.sqlite, postgres: `${byEmail.postgres} FOR UPDATE` },
  count: 'SELECT COUNT(*) AS n FROM staff',
  lockActiveAdmins: { sqlite: activeAdmins, postgres: `${activeAdmins} FOR UPDATE` },
  update: 'UPDATE staff SET name = @name, role = @role, disabled = @disabled, updated_at = @updated_at WHERE id = @id',
  setPassword: `UPDATE staff SET password_hash = @password_hash, must_change_password = @must_change_password, updated_at = @updated_at
     WHERE id = @id`,
};

/**
 * Staff accounts through the storage seam (db/storage/types.ts). The locking reads keep, on
 * PostgreSQL, the rows a change was decided on until its transaction ends; a transaction locks
 * staff rows before it writes sessions or appends to the audit chain.
 */
export const staffRepository = {
  /** E-mail comparison ignores case. */
  byEmail: (q: Queryable, email: string): Promise<StaffRow | undefined> => q.get(sql.byEmail, [email]),
  byId: (q: Queryable, id: string): Promise<StaffRow | undefined> => q.get(sql.byId, [id]),
  /** The account a sign-in is decided on: a password reset or a disable waits for the sign-in, or the sign-in for it. */
  byIdForShare: (tx: Transaction, id: string): Promise<StaffRow | undefined> => tx.get(sql.byIdForShare, [id]),
  /** The account about to be changed. */
  byIdForUpdate: (tx: Transaction, id: string): Promise<StaffRow | undefined> => tx.get(sql.byIdForUpdate, [id]),
  byEmailForUpdate: (tx: Transaction, email: string): Promise<StaffRow | undefined> => tx.get(sql.byEmailForUpdate, [email]),
  /** Inserts a new account; false when one with its e-mail exists. */
  insertNew: async (tx: Transaction, row: StaffRow): Promise<boolean> => (await tx.run(sql.insertNew, row)).changes === 1,
  count: async (q: Queryable): Promise<number> => (await q.get<{ n: number }>(sql.count))?.n ?? 0,
  /**
   * The ids of the active admins, in id order; on PostgreSQL each of their rows stays locked until
   * the transaction ends, so two changes that would each leave one admin cannot both count two.
   */
  lockActiveAdmins: async (tx: Transaction): Promise<string[]> => (await tx.all<{ id: string }>(sql.lockActiveAdmins)).map((row) => row.id),
  update: async (tx: Transaction, row: StaffChange): Promise<void> => {
    await tx.run(sql.update, row);
  },
  setPassword: async (tx: Transaction, row: PasswordChange): Promise<void> => {
    await tx.run(sql.setPassword, row);
  },
};

/**
 * The synchronous repository, same statement texts, kept only while something still uses it: the
 * tests' direct inserts (tests/server/support/testApp.ts) and the staff service's synchronous lookups.
 */
export function createStaffRepository(db: Db) {
  const insertRow = db.prepare<StaffRow>(sql.insert);
  const byEmailRow = db.prepare<[string], StaffRow>(sql.byEmail.sqlite);
  const byIdRow = db.prepare<[string], StaffRow>(sql.byId);
  return {
    byEmail: (email: string): StaffRow | undefined => byEmailRow.get(email),
    byId: (id: string): StaffRow | undefined => byIdRow.get(id),
    insert: (row: StaffRow): void => {
      insertRow.run(row);
    },
  };
}
export type StaffRepository = ReturnType<typeof createStaffRepository>;
