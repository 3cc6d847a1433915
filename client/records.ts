import type { GenerationStatus, RefundState } from '../shared/refundState.ts';

/*
 * PROVISIONAL: the record shapes as api.md describes them, until shared/records.ts (the server's
 * zod schemas) lands; then this file only re-exports its types.
 */

export interface CustomerRecord {
  id: string;
  name: string;
  email: string;
  plan: string;
  time_zone: string | null;
  created_at: string;
  balance: number;
}

export interface ChatRecord {
  id: string;
  customer_id: string;
  customer_name?: string;
  title: string | null;
  created_at: string;
  generation_count: number;
}

export interface GenerationRecord {
  id: string;
  chat_id: string;
  customer_id: string;
  tool: string;
  model: string | null;
  prompt: string | null;
  status: GenerationStatus;
  error_code: string | null;
  error_message: string | null;
  started_at: string;
  finished_at: string | null;
  tokens_charged: number;
  tokens_returned: number;
  tokens_reserved: number;
  asset_count: number;
  refund_state: RefundState;
}

export const transactionKinds = ['purchase', 'plan_grant', 'charge', 'auto_refund', 'manual_credit', 'credit_void'] as const;
export type TransactionKind = (typeof transactionKinds)[number];

/** A ledger entry. */
export interface TransactionRecord {
  id: string;
  customer_id: string;
  kind: TransactionKind;
  amount: number;
  balance_after: number;
  created_at: string;
  generation_id: string | null;
  chat_id: string | null;
  tool: string | null;
  reverses_id: string | null;
  credit_id: string | null;
}

export interface AssetRecord {
  id: string;
  generation_id: string;
  customer_id: string;
  kind: 'image' | 'video';
  mime: string;
  url: string;
  thumbnail_url: string | null;
  width: number | null;
  height: number | null;
  duration_ms: number | null;
  bytes: number | null;
  created_at: string;
}
