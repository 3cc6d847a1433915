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

/** A new account or a reset password: the temporary password is shown this once only. */
export const staffWithPasswordSchema = staffRecordSchema.extend({ temporary_password: z.string() });
export type StaffWithPassword = z.infer<typeof staffWithPasswordSchema>;
