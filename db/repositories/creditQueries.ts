import { z } from 'zod';
import { creditReasonSchema, creditStatusSchema } from '../../shared/credits.ts';
import { deliveryStateFilterSchema, type DeliveryStateFilter } from '../../shared/delivery.ts';
import type { Db } from '../connection.ts';
import { creditViewSql, type CreditViewRow } from './creditRepository.ts';
import { createListStatements, filterOn, type FilterDef, type ListSpec } from './listStatements.ts';

/**
 * `delivery_state`: a credit matches when one of its events is in that state
 * (`pending` includes attempts in flight). The rare states list their few
 * credits from the events' state index; `delivered`, true of most credits,
 * is checked row by row as the page fills.
 */
const deliveryStateFilter: FilterDef = {
  schema: deliveryStateFilterSchema,
  role: { kind: 'attribute' },
  where: (param, value, drives) =>
    value === 'delivered'
      ? `EXISTS (SELECT 1 FROM credit_events e WHERE e.credit_id = c.id AND e.state = @${param})`
      : `${drives ? 'c.id' : '+c.id'} IN (SELECT e.credit_id FROM credit_events e WHERE e.state IN (@${param}, @${param}_also))`,
  bind: (param, value) =>
    value === 'delivered' ? { [param]: value } : { [param]: value as DeliveryStateFilter, [`${param}_also`]: value === 'pending' ? 'delivering' : (value as DeliveryStateFilter) },
};

export const creditListSpec: ListSpec = {
  select: creditViewSql,
  from: 'credits c',
  key: 'c.rowid',
  idColumn: 'c.id',
  filters: {
    id: filterOn.key('c.id', 0),
    customer_id: filterOn.key('c.customer_id', 1, true),
    requested_by: filterOn.key('c.requested_by', 2, true),
    status: filterOn.equals('c.status', creditStatusSchema),
    reason: filterOn.equals('c.reason', creditReasonSchema),
    ticket_ref: filterOn.equals('c.ticket_ref', z.string().trim().min(1).max(100)),
    created_at_gte: filterOn.time('c.created_at', 'gte'),
    created_at_lte: filterOn.time('c.created_at', 'lte'),
    delivery_state: deliveryStateFilter,
  },
  sorts: {
    created_at: { expr: 'c.created_at' },
    amount: { expr: 'c.amount', narrowedOnly: true },
    status: { expr: 'c.status', narrowedOnly: true },
  },
  defaultSort: { field: 'created_at', order: 'DESC' },
  // A busy month holds more than 10,000 grants, and the export must match the total. Counts run
  // over credits_created or credits_status alone (index only); 100,000 grants count in under
  // 10 ms whatever the filter, and their last page reads in ~60 ms.
  totals: 'exact',
};

/** Lists of credit grants (the `credits` resource). */
export function createCreditQueries(db: Db) {
  return createListStatements<CreditViewRow>(db, creditListSpec);
}
