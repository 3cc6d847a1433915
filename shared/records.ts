import { z } from 'zod';
import { generationStatusSchema, refundStateSchema } from './refundState.ts';

/**
 * The records the read-only resources answer (docs/api.md, Resources): snake_case
 * fields, times as ISO 8601 UTC strings, token amounts as integers. The
 * server computes every derived figure (balance, refund state, tokens
 * returned); the client only shows them.
 */

const isoTime = z.string();
const tokens = z.int();

export const customerRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  plan: z.string(),
  /** IANA zone name, when the studio knows it. */
  time_zone: z.string().nullable(),
  created_at: isoTime,
  /** The sum of the customer's ledger entries; may be negative (a void after the tokens were spent). */
  balance: tokens,
});
export type CustomerRecord = z.infer<typeof customerRecordSchema>;

export const chatRecordSchema = z.object({
  id: z.string(),
  customer_id: z.string(),
  customer_name: z.string(),
  title: z.string().nullable(),
  created_at: isoTime,
  generation_count: z.int(),
  /** When its latest run started; null for a chat without runs. */
  last_run_at: isoTime.nullable(),
});
export type ChatRecord = z.infer<typeof chatRecordSchema>;

export const generationRecordSchema = z.object({
  id: z.string(),
  chat_id: z.string(),
  customer_id: z.string(),
  tool: z.string(),
  model: z.string().nullable(),
  prompt: z.string().nullable(),
  status: generationStatusSchema,
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  started_at: isoTime,
  finished_at: isoTime.nullable(),
  refund_state: refundStateSchema,
  tokens_charged: tokens,
  /** Auto-refunded plus manually credited (net of voids). */
  tokens_returned: tokens,
  tokens_auto_refunded: tokens,
  tokens_credited: tokens,
  /** Held by credits waiting for approval. */
  tokens_reserved: tokens,
  asset_count: z.int(),
  /** The `charge` ledger entry of the run. */
  charge_id: z.string().nullable(),
  /** The `auto_refund` ledger entry that reversed the charge: the proof of an auto-refund. */
  auto_refund_id: z.string().nullable(),
  auto_refunded_at: isoTime.nullable(),
});
export type GenerationRecord = z.infer<typeof generationRecordSchema>;

export const ledgerKindSchema = z.enum(['purchase', 'plan_grant', 'charge', 'auto_refund', 'manual_credit', 'credit_void']);
export const assetKindSchema = z.enum(['image', 'video']);

/** A ledger entry (the `transactions` resource). */
export const transactionRecordSchema = z.object({
  id: z.string(),
  customer_id: z.string(),
  kind: ledgerKindSchema,
  /** Signed: what the entry added to (positive) or took from (negative) the balance. */
  amount: tokens,
  balance_after: tokens,
  /** The studio's time of the transaction. */
  created_at: isoTime,
  /** When the console recorded it. */
  recorded_at: isoTime,
  generation_id: z.string().nullable(),
  chat_id: z.string().nullable(),
  tool: z.string().nullable(),
  /** The entry this one reverses (`auto_refund` → its charge, `credit_void` → its manual credit). */
  reverses_id: z.string().nullable(),
  /** The credit grant that made this entry (`manual_credit`, `credit_void`). */
  credit_id: z.string().nullable(),
});
export type TransactionRecord = z.infer<typeof transactionRecordSchema>;

export const assetRecordSchema = z.object({
  id: z.string(),
  generation_id: z.string(),
  customer_id: z.string(),
  kind: assetKindSchema,
  mime: z.string(),
  url: z.string(),
  thumbnail_url: z.string().nullable(),
  width: z.int().nullable(),
  height: z.int().nullable(),
  duration_ms: z.int().nullable(),
  bytes: z.int().nullable(),
  created_at: isoTime,
});
export type AssetRecord = z.infer<typeof assetRecordSchema>;
