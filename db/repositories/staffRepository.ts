import type { Db } from '../connection.ts';
import type { Role } from '../../shared/roles.ts';

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

export function createStaffRepository(db: Db) {
  const byEmail = db.prepare<[string], StaffRow>('SELECT * FROM staff WHERE email = ?');
  const byId = db.prepare<[string], StaffRow>('SELECT * FROM staff WHERE id = ?');
  const insert = db.prepare<StaffRow>(`INSERT INTO staff
    (id, email, name, role, disabled, password_hash, must_change_password, external_subject, created_at, updated_at)
    VALUES (@id, @email, @name, @role, @disabled, @password_hash, @must_change_password, @external_subject, @created_at, @updated_at)`);
  const setDisabled = db.prepare<{ id: string; disabled: 0 | 1; updated_at: string }>(
    'UPDATE staff SET disabled = @disabled, updated_at = @updated_at WHERE id = @id',
  );
  const count = db.prepare<[], number>('SELECT COUNT(*) FROM staff').pluck();
  const activeAdmins = db.prepare<[], number>("SELECT COUNT(*) FROM staff WHERE role = 'admin' AND disabled = 0").pluck();
  const update = db.prepare<Pick<StaffRow, 'id' | 'name' | 'role' | 'disabled' | 'updated_at'>>(
    'UPDATE staff SET name = @name, role = @role, disabled = @disabled, updated_at = @updated_at WHERE id = @id',
  );
  const setPassword = db.prepare<Pick<StaffRow, 'id' | 'password_hash' | 'must_change_password' | 'updated_at'>>(
    `UPDATE staff SET password_hash = @password_hash, must_change_password = @must_change_password, updated_at = @updated_at
     WHERE id = @id`,
  );

  return {
    /** E-mail comparison ignores case (the column is NOCASE). */
    byEmail: (email: string): StaffRow | undefined => byEmail.get(email),
    byId: (id: string): StaffRow | undefined => byId.get(id),
    insert: (row: StaffRow): void => {
      insert.run(row);
    },
    setDisabled: (id: string, disabled: boolean, updatedAt: string): void => {
      setDisabled.run({ id, disabled: disabled ? 1 : 0, updated_at: updatedAt });
    },
    count: (): number => count.get() ?? 0,
    activeAdminCount: (): number => activeAdmins.get() ?? 0,
    update: (row: Pick<StaffRow, 'id' | 'name' | 'role' | 'disabled' | 'updated_at'>): void => {
      update.run(row);
    },
    setPassword: (row: Pick<StaffRow, 'id' | 'password_hash' | 'must_change_password' | 'updated_at'>): void => {
      setPassword.run(row);
    },
  };
}
export type StaffRepository = ReturnType<typeof createStaffRepository>;
