import { z } from 'zod';

export const auditActorTypes = ['staff', 'system', 'ingest', 'anonymous'] as const;

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
