import { z } from 'zod';
import { creditReasonSchema, creditStatusSchema } from '../../shared/credits.ts';
import { deliveryStateFilterSchema, type DeliveryStateFilter } from '../../shared/delivery.ts';
import type { Db } from '../connection.ts';
import type { Engine, Queryable, Snapshot, Statement } from '../storage/types.ts';
import { creditRepository, creditViewSql, type CreditViewRow } from './creditRepository.ts';
import { createListStatements, filterOn, type FilterDef, type ListRequest, type ListSpec, type SqlParams } from './listStatements.ts';

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
  select: creditViewSql.sqlite,
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

type ListMode = 'page' | 'count' | 'cappedCount' | 'all';

const declaredFilter = (name: string): FilterDef | undefined =>
  Object.hasOwn(creditListSpec.filters, name) ? creditListSpec.filters[name] : undefined;

const narrowRank = (def: FilterDef | undefined): number => (def?.role.kind === 'narrow' ? def.role.rank : Infinity);

/** The most selective narrowing filter present: its index drives the query on SQLite. */
function drivingFilter(filter: Record<string, unknown>): FilterDef | undefined {
  let best: FilterDef | undefined;
  for (const [name, value] of Object.entries(filter)) {
    const def = declaredFilter(name);
    if (value !== undefined && narrowRank(def) < narrowRank(best)) best = def;
  }
  return best;
}

/**
 * A filter's condition on one engine, as listStatements.ts writes it: SQLite's text is exactly the
 * synchronous list's (its `+column` index hints included); PostgreSQL plans by its statistics, so
 * every condition is written there as driving.
 */
const filterCondition = (engine: Engine, def: FilterDef, param: string, value: unknown, drives: boolean): string =>
  engine === 'sqlite' ? def.where(param, value, drives, engine) : def.where(param, value, true, engine);

function whereClause(engine: Engine, filter: Record<string, unknown>, params: SqlParams): string {
  for (const name of Object.keys(filter)) {
    if (!declaredFilter(name)) throw new Error(`list filter ${name} is not declared`);
  }
  const driver = drivingFilter(filter);
  const timeOrderedDriver = driver?.role.kind === 'narrow' && driver.role.timeOrdered;
  const conditions: string[] = [];
  // Declaration order, not request order: one SQL text per combination.
  for (const [name, def] of Object.entries(creditListSpec.filters)) {
    const value = filter[name];
    if (value === undefined) continue;
    const drives = driver === undefined || def === driver || (def.role.kind === 'time' && timeOrderedDriver);
    const param = `f_${name}`;
    conditions.push(`(${filterCondition(engine, def, param, value, drives)})`);
    Object.assign(params, def.bind(param, value));
  }
  return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
}

/** PostgreSQL has no rowid: the grant's id is the unique last ORDER BY term there. */
const listKey = (engine: Engine): string => (engine === 'sqlite' ? creditListSpec.key : 'c.id');

/** One engine's text of a credit list query (the SQLite text is the synchronous list's). */
function compileFor(engine: Engine, request: ListRequest, mode: ListMode, params: SqlParams): string {
  const conditions = whereClause(engine, request.filter, params);
  const { from } = creditListSpec;
  if (mode === 'count') return `SELECT COUNT(*) AS n FROM ${from}${conditions}`;
  if (mode === 'cappedCount') return `SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${from}${conditions} LIMIT @cap) AS capped`;
  const sort = creditListSpec.sorts[request.sort.field];
  if (!sort) throw new Error(`list sort ${request.sort.field} is not declared`);
  const order = request.sort.order === 'DESC' ? 'DESC' : 'ASC';
  const key = listKey(engine);
  const orderBy = sort.expr === creditListSpec.key ? `${key} ${order}` : `${sort.expr} ${order}, ${key} ${order}`;
  const select = creditViewSql[engine];
  if (mode === 'all') return `${select}${conditions} ORDER BY ${orderBy}`;
  // PostgreSQL computed a grant's view (its prior credits, day totals, events) for every row the
  // OFFSET skipped too: the last page of 10,000 grants took 28 s. The page's ids come first there.
  if (engine === 'postgres') {
    return `${select} WHERE c.id IN (SELECT c.id FROM ${from}${conditions} ORDER BY ${orderBy} LIMIT @limit OFFSET @offset) ORDER BY ${orderBy}`;
  }
  return `${select}${conditions} ORDER BY ${orderBy} LIMIT @limit OFFSET @offset`;
}

/** Both engines' texts of one request, and its parameters (the same on both). */
function compile(request: ListRequest, mode: ListMode, extra: SqlParams): { statement: Statement; params: SqlParams } {
  const params: SqlParams = { ...extra };
  const statement = { sqlite: compileFor('sqlite', request, mode, params), postgres: compileFor('postgres', request, mode, {}) };
  if (mode === 'page') Object.assign(params, { limit: request.limit, offset: request.offset });
  return { statement, params };
}

/**
 * Lists of credit grants through the storage seam (db/storage/types.ts): the same requests,
 * filters and SQLite statements as `createCreditQueries`, awaited on any `Queryable`; exports
 * stream a whole list from a `Snapshot`. Not listStatements(creditListSpec): a grant's view is
 * written per dialect, and its list key is SQLite's rowid (credits_created then gives the order
 * without a sort), which PostgreSQL does not have.
 */
export const creditQueries = {
  spec: creditListSpec,
  /** True when a narrowing filter bounds the list (exact totals, no depth limit). */
  isNarrowed: (filter: Record<string, unknown>): boolean => drivingFilter(filter) !== undefined,
  page: (q: Queryable, request: ListRequest, extra: SqlParams = {}): Promise<CreditViewRow[]> => {
    const { statement, params } = compile(request, 'page', extra);
    return q.all(statement, params);
  },
  /** The number of matching grants; with `cap`, counting stops there. */
  count: async (q: Queryable, request: ListRequest, extra: SqlParams = {}, cap?: number): Promise<number> => {
    const { statement, params } = compile(request, cap === undefined ? 'count' : 'cappedCount', extra);
    if (cap !== undefined) params.cap = cap;
    return (await q.get<{ n: number }>(statement, params))?.n ?? 0;
  },
  byId: (q: Queryable, id: string): Promise<CreditViewRow | undefined> => creditRepository.viewById(q, id),
  /** Every matching grant in list order, uncapped, a batch at a time (exports). */
  streamAll: (snapshot: Snapshot, request: Pick<ListRequest, 'filter' | 'sort'>, extra: SqlParams = {}): AsyncIterable<CreditViewRow> => {
    const { statement, params } = compile({ ...request, offset: 0, limit: 0 }, 'all', extra);
    return snapshot.stream<CreditViewRow>(statement, params);
  },
};
