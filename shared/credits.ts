import { z } from 'zod';
import { creditLimits, isHttpsLink } from './creditLimits.ts';
import { creditDeliverySchema } from './delivery.ts';
import { refundStateSchema } from './refundState.ts';
import { plainText } from './text.ts';

export const creditReasons = [
  'off_prompt',
  'visual_artifacts',
  'wrong_format_or_length',
  'safety_false_positive',
  'duplicate_run',
  'missed_auto_refund',
  'goodwill',
  'other',
] as const;
export const creditReasonSchema = z.enum(creditReasons, { message: `must be one of ${creditReasons.join(', ')}` });
export type CreditReason = z.infer<typeof creditReasonSchema>;

/** Reasons that speak of a succeeded run's bad output. */
export const succeededRunReasons: readonly CreditReason[] = [
  'off_prompt',
  'visual_artifacts',
  'wrong_format_or_length',
  'safety_false_positive',
  'duplicate_run',
  'other',
];

/**
 * Whether a credit for `reason` must carry the customer's own words (what they expected, what
 * they received). A missed auto-refund is the studio's failure, found by the console's queue as
 * often as by a ticket: the customer may never have written, so the words are optional there.
 */
export const needsCustomerWords = (reason: CreditReason): boolean => reason !== 'missed_auto_refund';

export const creditStatuses = ['pending_approval', 'applied', 'rejected', 'voided'] as const;
export const creditStatusSchema = z.enum(creditStatuses);
export type CreditStatus = z.infer<typeof creditStatusSchema>;

/**
 * The `code` of a 409 from the credit actions (docs/api.md): the first three name runs in the way
 * (the body carries `blocked_by` and `runs`), the rest a credit in the wrong state or a reused key.
 */
export const creditConflictCodes = [
  'already_refunded',
  'already_credited',
  'not_eligible',
  'idempotency_key_reused',
  'not_pending',
  'self_approval',
  'not_applied',
  'nothing_to_retry',
] as const;
export type CreditConflictCode = (typeof creditConflictCodes)[number];

/** Staff-written text, read by leads, exported and sent to the studio: free of hidden characters (shared/text.ts). */
const optionalText = (max: number) => z.string().trim().max(max, `is longer than ${max} characters`).check(plainText);
const requiredText = (max: number) => z.string().trim().min(1, 'is required').max(max, `is longer than ${max} characters`).check(plainText);
const tokens = z
  .number({ message: 'must be a whole number of tokens' })
  .int('must be a whole number of tokens')
  .positive('must be positive')
  .max(creditLimits.tokens);

const httpsUrl = z.string().max(creditLimits.linkLength).check(plainText).refine(isHttpsLink, 'must be an https: link');

export const IDEMPOTENCY_KEY_PATTERN = /^[\x20-\x7E]{1,255}$/;

/**
 * The customer's words, checked on their own so that a request missing them hears so in the same
 * answer as its other faults (a refinement of the whole body would wait for every field to pass).
 */
const customerWordsSchema = z
  .object({
    reason: creditReasonSchema,
    /** Required unless the reason is missed_auto_refund (`needsCustomerWords`); stored as "" when not given. */
    expected: optionalText(creditLimits.customerText).default(''),
    received: optionalText(creditLimits.customerText).default(''),
  })
  .superRefine((body, ctx) => {
    if (!needsCustomerWords(body.reason)) return;
    for (const field of ['expected', 'received'] as const) {
      if (body[field] === '') ctx.addIssue({ code: 'custom', path: [field], message: 'is required' });
    }
  });

export const creditRequestSchema = z
  .intersection(
    z.object({
      customer_id: requiredText(200),
      items: z
        .array(z.object({ generation_id: requiredText(200), tokens }))
        .max(creditLimits.runs, `covers at most ${creditLimits.runs} runs`)
        .refine((items) => new Set(items.map((i) => i.generation_id)).size === items.length, 'names a run twice'),
      amount: tokens,
      ticket_ref: requiredText(creditLimits.ticketRef),
      note: optionalText(creditLimits.note).nullish(),
      customer_asset_urls: z.array(httpsUrl).max(creditLimits.assetLinks, `holds at most ${creditLimits.assetLinks} links`).optional(),
    }),
    customerWordsSchema,
  )
  .superRefine((body, ctx) => {
    if (body.items.length > 0) {
      const sum = body.items.reduce((total, item) => total + item.tokens, 0);
      if (sum !== body.amount) ctx.addIssue({ code: 'custom', path: ['amount'], message: `must equal the sum of the runs' tokens (${sum})` });
    }
    if (body.reason === 'other' && !body.note) ctx.addIssue({ code: 'custom', path: ['note'], message: 'is required when the reason is other' });
  });
export type CreditRequest = z.infer<typeof creditRequestSchema>;

export const decisionSchema = z.object({ reason: requiredText(creditLimits.decisionReason) });

/** What holds a run's tokens: its auto-refund or a manual credit (ledger entries), or a credit waiting for approval. */
export const blockedByKinds = ['auto_refund', 'manual_credit', 'pending_credit'] as const;
export const blockedBySchema = z.object({
  kind: z.enum(blockedByKinds),
  id: z.string(),
  created_at: z.string(),
  /** `manual_credit` only: whether every credit of the run has reached the customer's account in the studio. */
  delivered: z.boolean().optional(),
});
export type BlockedBy = z.infer<typeof blockedBySchema>;

export const runEligibilitySchema = z.object({
  generation_id: z.string(),
  customer_id: z.string(),
  chat_id: z.string(),
  tool: z.string(),
  status: z.string(),
  refund_state: refundStateSchema,
  tokens_charged: z.number().int(),
  tokens_returned: z.number().int(),
  tokens_reserved: z.number().int(),
  eligible_tokens: z.number().int(),
  /** When the run finished (null while it runs): a failed run's grace period counts from it. */
  finished_at: z.string().nullable().optional(),
  blocked_by: blockedBySchema.optional(),
  message: z.string().optional(),
});
export type RunEligibility = z.infer<typeof runEligibilitySchema>;

export const eligibilitySchema = z.object({
  runs: z.array(runEligibilitySchema),
  suggested_total: z.number().int(),
});
export type Eligibility = z.infer<typeof eligibilitySchema>;

export const creditItemRecordSchema = z.object({
  generation_id: z.string(),
  tokens: z.number().int(),
});

export const anomalyRules = ['agent_volume', 'repeat_customer', 'refunded_elsewhere', 'near_threshold'] as const;
export const creditAnomalySchema = z.object({ rule: z.enum(anomalyRules), message: z.string() });
export type CreditAnomaly = z.infer<typeof creditAnomalySchema>;

export const creditRecordSchema = z.object({
  id: z.string(),
  customer_id: z.string(),
  customer_name: z.string().nullable(),
  amount: z.number().int(),
  items: z.array(creditItemRecordSchema),
  reason: creditReasonSchema,
  ticket_ref: z.string(),
  /** The customer's words; "" when not given (a missed_auto_refund credit may have none). */
  expected: z.string(),
  received: z.string(),
  note: z.string().nullable(),
  customer_asset_urls: z.array(z.string()),
  evidence: z.record(z.string(), z.unknown()),
  status: creditStatusSchema,
  requested_by: z.string(),
  requested_by_name: z.string().nullable(),
  decided_by: z.string().nullable(),
  decided_by_name: z.string().nullable(),
  decided_at: z.string().nullable(),
  decision_reason: z.string().nullable(),
  voided_by: z.string().nullable(),
  voided_by_name: z.string().nullable(),
  voided_at: z.string().nullable(),
  void_reason: z.string().nullable(),
  transaction_id: z.string().nullable(),
  void_transaction_id: z.string().nullable(),
  /** The customer's balance after this grant's ledger entry, when it was applied. */
  balance_after: z.number().int().nullable(),
  /** Why it waits, in words, when it waits for approval. */
  approval_reasons: z.array(z.string()),
  /** Flags for a lead's second look, each in words; empty for most credits. */
  anomalies: z.array(creditAnomalySchema),
  /** Its credit events on their way to the studio, in the order they were written (docs/integration.md). */
  delivery: z.array(creditDeliverySchema),
  created_at: z.string(),
});
export type CreditRecord = z.infer<typeof creditRecordSchema>;

export const policySchema = z.object({
  approval_threshold: z.number().int().min(0).max(1_000_000_000),
  agent_daily_limit: z.number().int().min(0).max(1_000_000_000),
  lead_approval_threshold: z.number().int().min(0).max(1_000_000_000),
  goodwill_requires_approval: z.boolean(),
  refund_grace_minutes: z.number().int().min(0).max(7 * 24 * 60),
});
export type Policy = z.infer<typeof policySchema>;
