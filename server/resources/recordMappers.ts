import type { AssetListRow } from '../../db/repositories/assetQueries.ts';
import type { ChatListRow } from '../../db/repositories/chatQueries.ts';
import type { CustomerListRow } from '../../db/repositories/customerQueries.ts';
import type { GenerationListRow } from '../../db/repositories/generationQueries.ts';
import type { TransactionListRow } from '../../db/repositories/transactionQueries.ts';
import type { AssetRecord, ChatRecord, CustomerRecord, GenerationRecord, TransactionRecord } from '../../shared/records.ts';

/** Rows to API records, field by field: a column added to a query never leaks by accident. */

export const rowToCustomer = (row: CustomerListRow): CustomerRecord => ({
  id: row.id,
  name: row.name,
  email: row.email,
  plan: row.plan,
  time_zone: row.time_zone,
  created_at: row.created_at,
  balance: row.balance,
});

export const rowToChat = (row: ChatListRow): ChatRecord => ({
  id: row.id,
  customer_id: row.customer_id,
  customer_name: row.customer_name,
  title: row.title,
  created_at: row.created_at,
  generation_count: row.generation_count,
  last_run_at: row.last_run_at,
});

export const rowToGeneration = (row: GenerationListRow): GenerationRecord => ({
  id: row.id,
  chat_id: row.chat_id,
  customer_id: row.customer_id,
  tool: row.tool,
  model: row.model,
  prompt: row.prompt,
  status: row.status,
  error_code: row.error_code,
  error_message: row.error_message,
  started_at: row.started_at,
  finished_at: row.finished_at,
  refund_state: row.refund_state,
  tokens_charged: row.tokens_charged,
  tokens_returned: row.tokens_auto_refunded + row.tokens_credited,
  tokens_auto_refunded: row.tokens_auto_refunded,
  tokens_credited: row.tokens_credited,
  tokens_reserved: row.tokens_reserved,
  asset_count: row.asset_count,
  charge_id: row.charge_id,
  auto_refund_id: row.auto_refund_id,
  auto_refunded_at: row.auto_refunded_at,
});

export const rowToTransaction = (row: TransactionListRow): TransactionRecord => ({
  id: row.id,
  customer_id: row.customer_id,
  kind: row.kind,
  amount: row.amount,
  balance_after: row.balance_after,
  created_at: row.created_at,
  recorded_at: row.recorded_at,
  generation_id: row.generation_id,
  chat_id: row.chat_id,
  tool: row.tool,
  reverses_id: row.reverses_id,
  credit_id: row.credit_id,
});

export const rowToAsset = (row: AssetListRow): AssetRecord => ({
  id: row.id,
  generation_id: row.generation_id,
  customer_id: row.customer_id,
  kind: row.kind,
  mime: row.mime,
  url: row.url,
  thumbnail_url: row.thumbnail_url,
  width: row.width,
  height: row.height,
  duration_ms: row.duration_ms,
  bytes: row.bytes,
  created_at: row.created_at,
});
