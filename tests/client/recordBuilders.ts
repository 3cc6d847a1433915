import type { AssetRecord, ChatRecord, CustomerRecord, GenerationRecord, TransactionRecord } from '../../shared/records.ts';

/** Records as the API answers them, with plain defaults a test overrides where it matters. */
export const buildCustomer = (overrides: Partial<CustomerRecord> = {}): CustomerRecord => ({
  id: 'cus_7',
  name: 'Grace Hopper',
  email: 'grace@example.com',
  plan: 'pro',
  time_zone: 'Asia/Tokyo',
  created_at: '2026-01-05T08:00:00.000Z',
  balance: 12_345,
  ...overrides,
});

export const buildChat = (overrides: Partial<ChatRecord> = {}): ChatRecord => ({
  id: 'cht_42',
  customer_id: 'cus_7',
  customer_name: 'Grace Hopper',
  title: 'Spring campaign visuals',
  created_at: '2026-11-20T01:00:00.000Z',
  generation_count: 2,
  last_run_at: '2026-11-20T01:20:00.000Z',
  ...overrides,
});

export const buildRun = (overrides: Partial<GenerationRecord> = {}): GenerationRecord => ({
  id: 'gen_1',
  chat_id: 'cht_42',
  customer_id: 'cus_7',
  tool: 'image',
  model: 'studio-xl',
  prompt: 'A lighthouse at dawn',
  status: 'succeeded',
  error_code: null,
  error_message: null,
  started_at: '2026-11-20T01:10:00.000Z',
  finished_at: '2026-11-20T01:10:42.000Z',
  refund_state: 'none',
  tokens_charged: 1200,
  tokens_returned: 0,
  tokens_auto_refunded: 0,
  tokens_credited: 0,
  tokens_reserved: 0,
  asset_count: 1,
  charge_id: 'tx_charge_1',
  auto_refund_id: null,
  auto_refunded_at: null,
  ...overrides,
});

export const buildEntry = (overrides: Partial<TransactionRecord> = {}): TransactionRecord => ({
  id: 'tx_charge_1',
  customer_id: 'cus_7',
  kind: 'charge',
  amount: -1200,
  balance_after: 13_545,
  created_at: '2026-11-20T01:10:00.000Z',
  recorded_at: '2026-11-20T01:10:01.000Z',
  generation_id: 'gen_1',
  chat_id: 'cht_42',
  tool: 'image',
  reverses_id: null,
  credit_id: null,
  ...overrides,
});

export const buildAsset = (overrides: Partial<AssetRecord> = {}): AssetRecord => ({
  id: 'ast_1',
  generation_id: 'gen_1',
  customer_id: 'cus_7',
  kind: 'image',
  mime: 'image/png',
  url: '/media/image-01.png',
  thumbnail_url: null,
  width: 1024,
  height: 768,
  duration_ms: null,
  bytes: 1_432_000,
  created_at: '2026-11-20T01:10:42.000Z',
  ...overrides,
});
