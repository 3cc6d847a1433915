import type { CreditViewRow } from '../../db/repositories/creditRepository.ts';
import type { CreditReason, CreditRecord } from '../../shared/credits.ts';
import { rowToDelivery, type DeliveryColumns } from '../delivery/deliveryRecord.ts';
import { anomaliesOf } from './anomalies.ts';

const parseJson = <T>(text: string, fallback: T): T => {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
};

// Actions taken by the console itself carry `system` instead of a staff id.
const nameOf = (id: string | null, name: string | null): string | null => (id === 'system' ? 'System' : name);

/** The API record of a grant (never the raw row). */
export function rowToCredit(row: CreditViewRow): CreditRecord {
  const evidence = parseJson<Record<string, unknown>>(row.evidence, {});
  const approvalReasons = Array.isArray(evidence.approval_reasons) ? evidence.approval_reasons.filter((r): r is string => typeof r === 'string') : [];
  return {
    id: row.id,
    customer_id: row.customer_id,
    customer_name: row.customer_name,
    amount: row.amount,
    items: parseJson<{ generation_id: string; tokens: number }[]>(row.items_json, []).sort((a, b) => (a.generation_id < b.generation_id ? -1 : 1)),
    reason: row.reason as CreditReason,
    ticket_ref: row.ticket_ref,
    expected: row.expected,
    received: row.received,
    note: row.note,
    customer_asset_urls: parseJson<string[]>(row.customer_asset_urls, []),
    evidence,
    status: row.status,
    requested_by: row.requested_by,
    requested_by_name: row.requested_by_name,
    decided_by: row.decided_by,
    // A decision with no staff id was the console's own (a late auto-refund).
    decided_by_name: row.decided_by ? row.decided_by_name : row.decided_at ? 'System' : null,
    decided_at: row.decided_at,
    decision_reason: row.decision_reason,
    voided_by: row.voided_by,
    voided_by_name: nameOf(row.voided_by, row.voided_by_name),
    voided_at: row.voided_at,
    void_reason: row.void_reason,
    transaction_id: row.transaction_id,
    void_transaction_id: row.void_transaction_id,
    balance_after: row.balance_after,
    approval_reasons: approvalReasons,
    anomalies: anomaliesOf(row),
    delivery: parseJson<DeliveryColumns[]>(row.delivery_json, []).map(rowToDelivery),
    created_at: row.created_at,
  };
}
