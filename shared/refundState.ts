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

/** The refund states a manual credit can still cover (docs/domain.md): succeeded, credited in part, or a missing auto-refund. */
export const creditableRefundStates = ['none', 'credited', 'refund_missing'] as const satisfies readonly RefundState[];

/**
 * The tokens of a run that a new credit could return: charged, minus returned (auto-refund and
 * manual credits net of voids), minus held by credits waiting for approval — while its state is
 * creditable; 0 otherwise.
 */
export const creditableTokens = (run: {
  refund_state: string;
  tokens_charged: number;
  tokens_returned: number;
  tokens_reserved: number;
}): number =>
  (creditableRefundStates as readonly string[]).includes(run.refund_state)
    ? Math.max(0, run.tokens_charged - run.tokens_returned - run.tokens_reserved)
    : 0;
