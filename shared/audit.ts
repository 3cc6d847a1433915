import { z } from 'zod';

export const auditActorTypes = ['staff', 'system', 'ingest', 'anonymous'] as const;

/**
 * Every action the audit log records (docs/domain.md, invariant 5). The server writes only these;
 * the console names each one. A new kind of change adds its action here first.
 */
export const auditActions = [
  'credit.requested',
  'credit.applied',
  'credit.approved',
  'credit.rejected',
  'credit.voided',
  'credit.delivery_given_up',
  'credit.delivery_retried',
  'studio.delivery_retried_given_up',
  'policy.updated',
  'staff.created',
  'staff.updated',
  'staff.disabled',
  'staff.enabled',
  'staff.password_reset',
  'staff.sessions_ended',
  'auth.login',
  'auth.login_failed',
  'auth.logout',
  'auth.password_changed',
  'auth.password_change_failed',
  'ingest.batch',
  'seed.loaded',
] as const;
export type AuditAction = (typeof auditActions)[number];

/** What an audit event is about. */
export const auditEntityTypes = ['credit', 'credit_event', 'policy', 'staff', 'ingest_batch', 'dataset'] as const;
export type AuditEntityType = (typeof auditEntityTypes)[number];

export const auditRecordSchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actor_type: z.enum(auditActorTypes),
  actor_id: z.string(),
  actor_name: z.string().nullable(),
  action: z.string(),
  entity_type: z.string(),
  entity_id: z.string().nullable(),
  customer_id: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  reason: z.string().nullable(),
  request_id: z.string().nullable(),
  client_ip: z.string().nullable(),
  hash: z.string(),
  prev_hash: z.string(),
});
export type AuditRecord = z.infer<typeof auditRecordSchema>;

export const chainStatusSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  first_bad_id: z.number().int().nullable(),
  problem: z.string().optional(),
});
export type ChainStatus = z.infer<typeof chainStatusSchema>;
