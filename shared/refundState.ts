import { z } from 'zod';

/** The derived refund state of a run, in the order docs/domain.md applies them. */
export const refundStates = [
  'in_progress',
  'not_charged',
  'auto_refunded',
  'credited',
  'refund_pending',
  'refund_missing',
  'none',
] as const;
export const refundStateSchema = z.enum(refundStates);
export type RefundState = z.infer<typeof refundStateSchema>;

export const generationStatuses = ['queued', 'running', 'succeeded', 'failed'] as const;
export const generationStatusSchema = z.enum(generationStatuses);
export type GenerationStatus = z.infer<typeof generationStatusSchema>;
