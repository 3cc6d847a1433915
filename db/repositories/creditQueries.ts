import { z } from 'zod';
import { creditReasonSchema, creditStatusSchema } from '../../shared/credits.ts';
import type { Db } from '../connection.ts';
import { creditViewSql, type CreditViewRow } from './creditRepository.ts';
import { createListStatements, filterOn, type ListSpec } from './listStatements.ts';

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
  },
  sorts: {
    created_at: { expr: 'c.created_at' },
    amount: { expr: 'c.amount', narrowedOnly: true },
    status: { expr: 'c.status', narrowedOnly: true },
  },
  defaultSort: { field: 'created_at', order: 'DESC' },
};

/** Lists of credit grants (the `credits` resource). */
export function createCreditQueries(db: Db) {
  return createListStatements<CreditViewRow>(db, creditListSpec);
}
