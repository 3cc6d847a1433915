import { nameFilterSchema } from '../../shared/listQuery.ts';
import type { AuditRow } from './auditRepository.ts';
import { filterOn, listStatements, type FilterDef, type ListSpec } from './listStatements.ts';

const seqKey = filterOn.key('a.seq', 0);

/**
 * An event's id is its seq, an integer, and ids arrive as text. SQLite compares them as they are
 * (text that is not a number matches nothing). PostgreSQL compares bigint with text only once it
 * is cast, and refuses to cast text that is not a number: such an id becomes NULL instead, which
 * matches nothing there too.
 */
const seqFilter: FilterDef = {
  ...seqKey,
  where: (param, value, drives, engine) => {
    if (engine !== 'postgres') return seqKey.where(param, value, drives, engine);
    const ids = Array.isArray(value) ? `json_array_elements_text(CAST(@${param} AS json)) AS i(v)` : `(SELECT CAST(@${param} AS text)) AS i(v)`;
    // CASE, not WHERE: PostgreSQL may cast before it filters, and a CASE arm is evaluated only when chosen.
    return `a.seq IN (SELECT CASE WHEN v ~ '^-?[0-9]{1,18}$' THEN CAST(v AS bigint) END FROM ${ids})`;
  },
};

export const auditListSpec: ListSpec = {
  select: 'SELECT a.* FROM audit_events a',
  from: 'audit_events a',
  key: 'a.seq',
  idColumn: 'a.seq',
  filters: {
    id: seqFilter,
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

/** Lists of audit events (the `audit` resource) through the storage seam (db/storage/types.ts). */
export const auditQueries = listStatements<AuditRow>(auditListSpec);
