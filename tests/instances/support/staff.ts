/**
 * Staff accounts, inserted as rows: the console has no public way to make the
 * first accounts (the staff CLI would, one process start per account).
 */
import { randomBytes } from 'node:crypto';
import { hashPassword } from '../../../server/auth/passwords.ts';
import type { Rows } from './database.ts';

export type Role = 'agent' | 'lead' | 'admin';

export interface Person {
  id: string;
  email: string;
  name: string;
  role: Role;
}

export const PASSWORD = 'instances-correct-horse';

// One scrypt hash for every account: it costs tens of milliseconds of CPU each.
let hash: Promise<string> | undefined;

export async function hire(rows: Rows, role: Role, name: string): Promise<Person> {
  const tag = randomBytes(5).toString('hex');
  const person: Person = { id: `stf_inst_${tag}`, email: `${role}-${tag}@instances.test`, name, role };
  const now = new Date().toISOString();
  await rows.run(
    `INSERT INTO staff (id, email, name, role, disabled, password_hash, must_change_password, external_subject, created_at, updated_at)
     VALUES (?, ?, ?, ?, 0, ?, 0, NULL, ?, ?)`,
    person.id, person.email, person.name, person.role, await (hash ??= hashPassword(PASSWORD)), now, now,
  );
  return person;
}
