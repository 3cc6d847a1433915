import type { AuditRecord } from '../../shared/audit.ts';
import type { CreditRecord, Eligibility, Policy, RunEligibility } from '../../shared/credits.ts';
import type { CreditDelivery, StudioDeliveryReport } from '../../shared/delivery.ts';

/** Credit records, eligibility answers and audit events as the API answers them; tests override what matters. */
export const buildCredit = (overrides: Partial<CreditRecord> = {}): CreditRecord => ({
  id: 'crd_1',
  customer_id: 'cus_7',
  customer_name: 'Grace Hopper',
  amount: 1200,
  items: [{ generation_id: 'gen_1', tokens: 1200 }],
  reason: 'visual_artifacts',
  ticket_ref: 'ZD-100',
  expected: 'A clean lighthouse',
  received: 'Striped glitches across the sky',
  note: null,
  customer_asset_urls: [],
  evidence: {
    chat_ids: ['cht_42'],
    runs: [{ generation_id: 'gen_1', chat_id: 'cht_42', tool: 'image', status: 'succeeded', refund_state: 'none', tokens_charged: 1200, tokens_returned: 0, eligible_tokens: 1200 }],
    balance_before: 12_345,
    approval_reasons: [],
  },
  status: 'applied',
  requested_by: 'stf_agent',
  requested_by_name: 'Ada Agent',
  decided_by: null,
  decided_by_name: null,
  decided_at: null,
  decision_reason: null,
  voided_by: null,
  voided_by_name: null,
  voided_at: null,
  void_reason: null,
  transaction_id: 'txn_credit_1',
  void_transaction_id: null,
  balance_after: 13_545,
  approval_reasons: [],
  anomalies: [],
  delivery: [],
  created_at: '2026-11-21T09:00:00.000Z',
  ...overrides,
});

/** One credit event on its way to the studio: the credit's applied event, not yet sent, unless told. */
export const buildDeliveryEvent = (overrides: Partial<CreditDelivery> = {}): CreditDelivery => ({
  event_id: 'txn_credit_1',
  type: 'credit.applied',
  state: 'pending',
  attempts: 0,
  last_status: null,
  last_error: null,
  next_attempt_at: null,
  delivered_at: null,
  delivered_via: null,
  studio_ref: null,
  confirmed_at: null,
  failing_since: null,
  ...overrides,
});

/** The applied event once the studio took it by webhook. */
export const deliveredEvent = (overrides: Partial<CreditDelivery> = {}): CreditDelivery =>
  buildDeliveryEvent({ state: 'delivered', attempts: 1, delivered_at: '2026-11-21T09:00:05.000Z', delivered_via: 'webhook', studio_ref: 'st_881', ...overrides });

/** `GET /api/reports/studio-delivery` with push on and everything delivered, unless told. */
export const buildDeliveryReport = (overrides: Partial<StudioDeliveryReport> = {}): StudioDeliveryReport => ({
  push_enabled: true,
  feed_enabled: false,
  counts: { pending: 0, failing: 0, given_up: 0, delivered: 12 },
  oldest_undelivered_at: null,
  last_delivered_at: '2026-11-24T09:58:00.000Z',
  last_error: null,
  oldest_failing_since: null,
  ...overrides,
});

export const buildRunEligibility = (overrides: Partial<RunEligibility> = {}): RunEligibility => ({
  generation_id: 'gen_1',
  customer_id: 'cus_7',
  chat_id: 'cht_42',
  tool: 'image',
  status: 'succeeded',
  refund_state: 'none',
  tokens_charged: 1200,
  tokens_returned: 0,
  tokens_reserved: 0,
  eligible_tokens: 1200,
  ...overrides,
});

export const eligibilityOf = (runs: RunEligibility[]): Eligibility => ({
  runs,
  suggested_total: runs.reduce((sum, run) => sum + run.eligible_tokens, 0),
});

export const defaultPolicy: Policy = {
  approval_threshold: 500,
  agent_daily_limit: 2000,
  lead_approval_threshold: 5000,
  goodwill_requires_approval: true,
  refund_grace_minutes: 15,
};

export const buildAuditEvent = (overrides: Partial<AuditRecord> = {}): AuditRecord => ({
  id: 41,
  at: '2026-11-21T09:00:00.000Z',
  actor_type: 'staff',
  actor_id: 'stf_agent',
  actor_name: 'Ada Agent',
  action: 'credit.applied',
  entity_type: 'credit',
  entity_id: 'crd_1',
  customer_id: 'cus_7',
  before: { balance: 12_345 },
  after: { balance: 13_545, transaction_id: 'txn_credit_1' },
  reason: null,
  request_id: 'req_1',
  client_ip: '127.0.0.1',
  hash: 'b'.repeat(64),
  prev_hash: 'a'.repeat(64),
  ...overrides,
});
