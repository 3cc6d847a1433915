import { z } from 'zod';
import { studioDeliverySettingsSchema } from './delivery.ts';
import { roleSchema } from './roles.ts';

export const loginRequestSchema = z.object({
  email: z.string().trim().min(1, 'Enter your e-mail address').max(320).email('Enter a valid e-mail address'),
  password: z.string().min(1, 'Enter your password').max(1024),
});
export type LoginRequest = z.infer<typeof loginRequestSchema>;

export const staffUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  /** Set for a new or reset account: nothing but a password change is allowed until it is done. */
  must_change_password: z.boolean().optional(),
});
export type StaffUser = z.infer<typeof staffUserSchema>;

/** What login and `GET /api/auth/me` answer. */
export const sessionInfoSchema = z.object({
  user: staffUserSchema,
  csrf_token: z.string(),
  /** Whether credits can reach the studio at all: the console warns every role when they cannot. */
  studio_delivery: studioDeliverySettingsSchema,
  /**
   * The helpdesk's address of a ticket, `{ticket}` standing for its reference (HELPDESK_TICKET_URL),
   * so the console can link every ticket reference back to its ticket; null when not configured.
   */
  helpdesk_ticket_url: z.string().nullable(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

export const CSRF_HEADER = 'X-CSRF-Token';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
