import { nameFilterSchema } from '../../shared/listQuery.ts';
import type { Db } from '../connection.ts';
import type { AuditRow } from './auditRepository.ts';
import { createListStatements, filterOn, type ListSpec } from './listStatements.ts';

export const auditListSpec: ListSpec = {
  select: 'SELECT a.* FROM audit_events a',
  from: 'audit_events a',
  key: 'a.seq',
  idColumn: 'a.seq',
  filters: {
    id: filterOn.key('a.seq', 0),
    customer_id: filterOn.key('a.customer_id', 1, true),
    entity_id: filterOn.key('a.entity_id', 2),
    actor_id: filterOn.key('a.actor_id', 3, true),
    entity_type: filterOn.equals('a.entity_type', nameFilterSchema),
    action: filterOn.equals('a.action', nameFilterSchema),
    at_gte: filterOn.time('a.at', 'gte'),
    at_lte: filterOn.time('a.at', 'lte'),
  },
  sorts: {
    // Events are appended in time order: seq order is time order, and the primary key gives it for free.
    at: { expr: 'a.seq' },
    id: { expr: 'a.seq' },
  },
  defaultSort: { field: 'at', order: 'DESC' },
  totals: 'capped',
};

/** Lists of audit events (the `audit` resource). */
export function createAuditQueries(db: Db) {
  return createListStatements<AuditRow>(db, auditListSpec);
}
