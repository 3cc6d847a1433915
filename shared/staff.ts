import { z } from 'zod';
import { roleSchema } from './roles.ts';

export const MIN_PASSWORD_LENGTH = 12;

export const staffCreateSchema = z.object({
  email: z.string().trim().toLowerCase().max(320).email('Enter a valid e-mail address'),
  name: z.string().trim().min(1, 'Enter a name').max(200),
  role: roleSchema,
  password: z.string().min(MIN_PASSWORD_LENGTH, `Use at least ${MIN_PASSWORD_LENGTH} characters`).max(1024),
});
export type StaffCreate = z.infer<typeof staffCreateSchema>;

export const staffRecordSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  disabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type StaffRecord = z.infer<typeof staffRecordSchema>;
