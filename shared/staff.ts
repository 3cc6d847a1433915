import { z } from 'zod';
import { roleSchema } from './roles.ts';
import { plainText } from './text.ts';

export const MIN_PASSWORD_LENGTH = 12;

/** A person's name as every screen and audit event shows it: free of hidden characters (shared/text.ts). */
const staffName = z.string().trim().min(1, 'Enter a name').max(200).check(plainText);

export const staffCreateSchema = z.object({
  email: z.string().trim().toLowerCase().max(320).email('Enter a valid e-mail address'),
  name: staffName,
  role: roleSchema,
  // Hashed and never shown, so any character may be in a password.
  password: z.string().min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`).max(1024),
});
export type StaffCreate = z.infer<typeof staffCreateSchema>;

/** What an admin sends to onboard someone: the person sets a password at first sign-in. */
export const staffInviteSchema = staffCreateSchema.omit({ password: true }).strict();
export type StaffInvite = z.infer<typeof staffInviteSchema>;

/** What an admin may change on an account: any of these, the others stay. */
export const staffUpdateSchema = z
  .object({
    name: staffName.optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
  })
  .strict();
export type StaffUpdate = z.infer<typeof staffUpdateSchema>;

export const passwordChangeSchema = z.object({
  current_password: z.string().min(1, 'Enter your current password').max(1024),
  new_password: z.string().min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`).max(1024),
});
export type PasswordChange = z.infer<typeof passwordChangeSchema>;

export const staffRecordSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  must_change_password: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type StaffRecord = z.infer<typeof staffRecordSchema>;

/**
 * The fields of a staff record no `PUT` changes: the e-mail is the sign-in identity (a new
 * address is a new account), the password state changes through its own calls, the times are
 * the server's.
 */
export const staffReadOnlyFields = ['id', 'email', 'must_change_password', 'created_at', 'updated_at'] as const;
export type StaffReadOnlyField = (typeof staffReadOnlyFields)[number];

const readOnlyPick = Object.fromEntries(staffReadOnlyFields.map((field) => [field, true])) as Record<StaffReadOnlyField, true>;

/**
 * `PUT /api/staff/:id`: the writable fields, alone (what this SPA sends) or within the whole
 * record as react-admin's simple-REST provider sends it. Read-only fields may come along but
 * must equal the stored record's (the server compares them); anything else is refused.
 */
export const staffPutSchema = staffUpdateSchema.extend(staffRecordSchema.pick(readOnlyPick).partial().shape).strict();
export type StaffPut = z.infer<typeof staffPutSchema>;

/** A new account or a reset password: the temporary password is shown this once only. */
export const staffWithPasswordSchema = staffRecordSchema.extend({ temporary_password: z.string() });
export type StaffWithPassword = z.infer<typeof staffWithPasswordSchema>;
