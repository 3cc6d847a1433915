import type { AuditRow } from '../../db/repositories/auditRepository.ts';
import type { AuditRecord } from '../../shared/audit.ts';

const parsed = (json: string | null): unknown => {
  if (json === null) return null;
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
};

export const rowToAudit = (row: AuditRow): AuditRecord => ({
  id: row.seq,
  at: row.at,
  actor_type: row.actor_type,
  actor_id: row.actor_id,
  actor_name: row.actor_name,
  action: row.action,
  entity_type: row.entity_type,
  entity_id: row.entity_id,
  customer_id: row.customer_id,
  before: parsed(row.before_json),
  after: parsed(row.after_json),
  reason: row.reason,
  request_id: row.request_id,
  client_ip: row.client_ip,
  hash: row.hash,
  prev_hash: row.prev_hash,
});
