import type { Statement } from 'better-sqlite3';
import type { z } from 'zod';
import { idFilterSchema, timeBoundSchema, type SortOrder } from '../../shared/listQuery.ts';
import type { Db } from '../connection.ts';
import type { Engine, Queryable, Snapshot } from '../storage/types.ts';

/**
 * The SQL of list pages (the simple-REST lists of docs/api.md), built from one
 * declarative table per resource. SQL text is only ever assembled from the
 * table's own strings — filter names, columns and sort expressions that the
 * code declares — and every value is a bound parameter, so nothing a client
 * sends can reach the SQL text.
 */

export type SqlValue = string | number | null;
export type SqlParams = Record<string, SqlValue>;

/**
 * How a filter takes part in choosing the index that drives the query.
 * Without statistics SQLite cannot tell `customer_id = ?` (a few hundred rows)
 * from `kind = ?` (millions), so the list names the driving index itself: the
 * most selective narrowing filter present, else the attribute and time
 * filters. A filter that does not drive the query is written `+column`,
 * SQLite's documented way to keep a term from competing for an index.
 */
export type FilterRole =
  /** Bounds the list to one customer, chat, run or list of ids: exact totals, any page depth. `rank` 0 is the most selective; `timeOrdered` when its index continues with the resource's time column. */
  | { kind: 'narrow'; rank: number; timeOrdered: boolean }
  /** A `_gte` / `_lte` bound of the resource's time column. */
  | { kind: 'time' }
  /** Anything else. */
  | { kind: 'attribute' };

export interface FilterDef {
  /** Checks the filter's JSON value; its output (undefined: no filter) is what `where` and `bind` get. */
  schema: z.ZodType;
  role: FilterRole;
  /**
   * The condition, naming its parameters `@<param>` (and `@<param>_…`).
   * `drives` is false when another filter's index drives the query: then the
   * condition must not compete for an index, and index hints are left out.
   * `engine` (SQLite when not given) picks the dialect; on PostgreSQL `drives`
   * is always true (see `conditionFor`).
   */
  where: (param: string, value: unknown, drives: boolean, engine?: Engine) => string;
  bind: (param: string, value: unknown) => SqlParams;
}

export interface SortDef {
  /** The ORDER BY expression. */
  expr: string;
  /** The expression on PostgreSQL, where it differs (`COLLATE NOCASE` is `lower(…)` there, docs/postgres.md). */
  postgres?: string;
  /**
   * The column may be NULL. SQLite sorts NULLs first going up and last going down, PostgreSQL the
   * other way round: there the ORDER BY says where they go.
   */
  nullable?: boolean;
  /** No index gives this order over the whole table: allowed only with a narrowing filter. */
  narrowedOnly?: boolean;
}

/**
 * How a list counts its total when no narrowing filter bounds it (docs/api.md, Totals).
 * `exact`: every matching row is counted, and every page may be asked for — for tables whose
 * count stays cheap (a few hundred thousand rows at most, or a count an index answers alone).
 * `capped`: counting stops past TOTAL_CAP and pages end there — only for the big tables
 * (ledger entries, runs and their outputs, audit events), where an exact count of a common
 * filter would read millions of rows.
 */
export type ListTotals = 'exact' | 'capped';

export interface ListSpec {
  /** The SELECT list and FROM clause (joins included) of a page. */
  select: string;
  /** The main table and its alias, all that a count needs. */
  from: string;
  /** The main table's unique key: the last ORDER BY term, so pages never overlap. */
  key: string;
  /** The column `GET /<resource>/<id>` matches. */
  idColumn: string;
  filters: Record<string, FilterDef>;
  sorts: Record<string, SortDef>;
  defaultSort: { field: string; order: SortOrder };
  totals: ListTotals;
}

export interface ListRequest {
  /** Parsed filter values by name; names must come from the spec. */
  filter: Record<string, unknown>;
  sort: { field: string; order: SortOrder };
  offset: number;
  limit: number;
}

const isIdList = (value: unknown): value is string[] => Array.isArray(value);

/**
 * `column = @p`, or membership of a JSON list for several ids (one SQL text whatever the count):
 * SQLite's json_each, PostgreSQL's json_array_elements_text.
 */
function keyCondition(column: string, param: string, value: unknown, drives: boolean, engine: Engine = 'sqlite'): string {
  const target = drives ? column : `+${column}`;
  if (!isIdList(value)) return `${target} = @${param}`;
  return engine === 'sqlite'
    ? `${target} IN (SELECT value FROM json_each(@${param}))`
    : `${target} IN (SELECT value FROM json_array_elements_text(CAST(@${param} AS json)))`;
}

const bindKey = (param: string, value: unknown): SqlParams => ({
  [param]: isIdList(value) ? JSON.stringify(value) : (value as string),
});

const bindValue = (param: string, value: unknown): SqlParams => ({ [param]: value as SqlValue });

/** Constructors for the filter table of a resource. */
export const filterOn = {
  /** A narrowing key (`id`, `customer_id`, …): one id or a list of ids. */
  key: (column: string, rank: number, timeOrdered = false): FilterDef => ({
    schema: idFilterSchema,
    role: { kind: 'narrow', rank, timeOrdered },
    where: (param, value, drives, engine) => keyCondition(column, param, value, drives, engine),
    bind: bindKey,
  }),
  /** Equality with a value checked by `schema`; `hint(value)` adds implied terms that let a partial index drive. */
  equals: (column: string, schema: z.ZodType, hint?: (value: unknown) => string | undefined): FilterDef => ({
    schema,
    role: { kind: 'attribute' },
    where: (param, value, drives) => {
      const condition = `${drives ? column : `+${column}`} = @${param}`;
      const implied = drives ? hint?.(value) : undefined;
      return implied ? `${condition} AND ${implied}` : condition;
    },
    bind: bindValue,
  }),
  /** `column >= @p` or `column <= @p` over ISO times. */
  time: (column: string, edge: 'gte' | 'lte'): FilterDef => ({
    schema: timeBoundSchema(edge),
    role: { kind: 'time' },
    where: (param, _value, drives) => `${drives ? column : `+${column}`} ${edge === 'gte' ? '>=' : '<='} @${param}`,
    bind: bindValue,
  }),
};

const STATEMENT_CACHE_SIZE = 64;

type Mode = 'page' | 'count' | 'cappedCount' | 'all';

/**
 * A filter's condition on one engine. SQLite gets `drives` as worked out, so that only the driving
 * filter's index competes (`+column` on the others) and only it adds index hints. PostgreSQL plans
 * by its statistics and has no `+` for text, so every condition is written as driving there; the
 * implied terms that come with it only repeat what the filter already says, and they let a
 * partial index (`WHERE status <> 'succeeded'`, …) serve a parameterised filter.
 */
const conditionFor = (def: FilterDef, param: string, value: unknown, drives: boolean, engine: Engine): string =>
  engine === 'sqlite' ? def.where(param, value, drives, engine) : def.where(param, value, true, engine);

/** The ORDER BY term of a sort on one engine. */
function orderTerm(sort: SortDef, order: SortOrder, engine: Engine): string {
  if (engine === 'sqlite') return `${sort.expr} ${order}`;
  const nulls = sort.nullable ? ` NULLS ${order === 'ASC' ? 'FIRST' : 'LAST'}` : '';
  return `${sort.postgres ?? sort.expr} ${order}${nulls}`;
}

/**
 * The SQL texts of one resource's lists. A text depends only on which filters are present (in
 * declaration order), their hint-bearing values, the sort, the mode and the engine: the same
 * request shape always gives the same text, so each is prepared once (docs/postgres.md, The
 * storage seam) and the set of texts stays finite.
 */
function listCompiler(spec: ListSpec) {
  const declared = (name: string): FilterDef | undefined => (Object.hasOwn(spec.filters, name) ? spec.filters[name] : undefined);
  const narrowRank = (def: FilterDef | undefined): number => (def?.role.kind === 'narrow' ? def.role.rank : Infinity);

  /** The most selective narrowing filter present: its index drives the query. */
  function drivingFilter(filter: Record<string, unknown>): FilterDef | undefined {
    let best: FilterDef | undefined;
    for (const [name, value] of Object.entries(filter)) {
      const def = declared(name);
      if (value !== undefined && narrowRank(def) < narrowRank(best)) best = def;
    }
    return best;
  }

  function where(filter: Record<string, unknown>, params: SqlParams, engine: Engine): string {
    for (const name of Object.keys(filter)) {
      if (!declared(name)) throw new Error(`list filter ${name} is not declared`);
    }
    const driver = drivingFilter(filter);
    const timeOrderedDriver = driver?.role.kind === 'narrow' && driver.role.timeOrdered;
    const conditions: string[] = [];
    // Declaration order, not request order: one SQL text per combination.
    for (const [name, def] of Object.entries(spec.filters)) {
      const value = filter[name];
      if (value === undefined) continue;
      const drives = driver === undefined || def === driver || (def.role.kind === 'time' && timeOrderedDriver);
      const param = `f_${name}`;
      conditions.push(`(${conditionFor(def, param, value, drives, engine)})`);
      Object.assign(params, def.bind(param, value));
    }
    return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  }

  function compile(request: ListRequest, mode: Mode, extra: SqlParams, engine: Engine): { sql: string; params: SqlParams } {
    const params: SqlParams = { ...extra };
    const conditions = where(request.filter, params, engine);
    if (mode === 'count') return { sql: `SELECT COUNT(*) AS n FROM ${spec.from}${conditions}`, params };
    if (mode === 'cappedCount') {
      // PostgreSQL wants a name for the subquery; SQLite takes one too.
      return { sql: `SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${spec.from}${conditions} LIMIT @cap) AS capped`, params };
    }
    const sort = spec.sorts[request.sort.field];
    if (!sort) throw new Error(`list sort ${request.sort.field} is not declared`);
    const order = request.sort.order === 'DESC' ? 'DESC' : 'ASC';
    const orderBy = sort.expr === spec.key ? `${spec.key} ${order}` : `${orderTerm(sort, order, engine)}, ${spec.key} ${order}`;
    if (mode === 'all') return { sql: `${spec.select}${conditions} ORDER BY ${orderBy}`, params };
    params.limit = request.limit;
    params.offset = request.offset;
    return { sql: `${spec.select}${conditions} ORDER BY ${orderBy} LIMIT @limit OFFSET @offset`, params };
  }

  return {
    /** True when a narrowing filter bounds the list (exact totals, no depth limit). */
    isNarrowed: (filter: Record<string, unknown>): boolean => drivingFilter(filter) !== undefined,
    compile,
    /** `GET /<resource>/<id>`: the same text on both engines. */
    byId: `${spec.select} WHERE ${spec.idColumn} = @id`,
  };
}

/**
 * Prepared statements for one resource's lists. Filters vary per request, so
 * statements are prepared on first use and kept by their SQL text; the
 * combinations are finite (declared filters × sorts), and the cache keeps the
 * most recently used ones.
 */
export function createListStatements<Row>(db: Db, spec: ListSpec) {
  const cache = new Map<string, Statement<SqlParams[], unknown>>();
  const compiler = listCompiler(spec);
  const byId = db.prepare<SqlParams[], Row>(compiler.byId);

  function prepared(sql: string): Statement<SqlParams[], unknown> {
    let statement = cache.get(sql);
    if (statement) {
      cache.delete(sql);
    } else {
      statement = db.prepare<SqlParams[], unknown>(sql);
      if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    }
    cache.set(sql, statement);
    return statement;
  }

  const compile = (request: ListRequest, mode: Mode, extra: SqlParams) => compiler.compile(request, mode, extra, 'sqlite');

  return {
    spec,
    /** True when a narrowing filter bounds the list (exact totals, no depth limit). */
    isNarrowed: compiler.isNarrowed,
    page: (request: ListRequest, extra: SqlParams = {}): Row[] => {
      const { sql, params } = compile(request, 'page', extra);
      return prepared(sql).all(params) as Row[];
    },
    /** The number of matching rows; with `cap`, counting stops there. */
    count: (request: ListRequest, extra: SqlParams = {}, cap?: number): number => {
      const { sql, params } = compile(request, cap === undefined ? 'count' : 'cappedCount', extra);
      if (cap !== undefined) params.cap = cap;
      return (prepared(sql).get(params) as { n: number }).n;
    },
    byId: (id: string, extra: SqlParams = {}): Row | undefined => byId.get({ ...extra, id }),
    /**
     * Every matching row in list order, uncapped, one at a time (exports).
     * The iterator keeps its connection busy: run it on a connection of its own.
     */
    iterateAll: (request: Pick<ListRequest, 'filter' | 'sort'>, extra: SqlParams = {}): IterableIterator<Row> => {
      const { sql, params } = compile({ ...request, offset: 0, limit: 0 }, 'all', extra);
      return db.prepare<SqlParams[], Row>(sql).iterate(params);
    },
    /** EXPLAIN QUERY PLAN details of a page or count, for tests and benchmarks. */
    explain: (request: ListRequest, mode: Mode, extra: SqlParams = {}): string[] => {
      const { sql, params } = compile(request, mode, extra);
      if (mode === 'cappedCount') params.cap = 1;
      return (db.prepare<SqlParams[], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`).all(params)).map((step) => step.detail);
    },
  };
}
export type ListStatements<Row> = ReturnType<typeof createListStatements<Row>>;

/**
 * One resource's lists through the storage seam (db/storage/types.ts): the requests, filters and
 * SQLite texts of `createListStatements`, awaited on any `Queryable`. Built once per process; the
 * seam keeps each prepared statement by its text, and a request builds the text of its own engine only.
 */
export function listStatements<Row>(spec: ListSpec) {
  const compiler = listCompiler(spec);
  return {
    spec,
    /** True when a narrowing filter bounds the list (exact totals, no depth limit). */
    isNarrowed: compiler.isNarrowed,
    page: (q: Queryable, request: ListRequest, extra: SqlParams = {}): Promise<Row[]> => {
      const { sql, params } = compiler.compile(request, 'page', extra, q.engine);
      return q.all<Row>(sql, params);
    },
    /** The number of matching rows; with `cap`, counting stops there. */
    count: async (q: Queryable, request: ListRequest, extra: SqlParams = {}, cap?: number): Promise<number> => {
      const { sql, params } = compiler.compile(request, cap === undefined ? 'count' : 'cappedCount', extra, q.engine);
      if (cap !== undefined) params.cap = cap;
      return (await q.get<{ n: number }>(sql, params))?.n ?? 0;
    },
    byId: (q: Queryable, id: string, extra: SqlParams = {}): Promise<Row | undefined> => q.get<Row>(compiler.byId, { ...extra, id }),
    /** Every matching row in list order, uncapped, a batch at a time (exports). */
    streamAll: (snapshot: Snapshot, request: Pick<ListRequest, 'filter' | 'sort'>, extra: SqlParams = {}): AsyncIterable<Row> => {
      const { sql, params } = compiler.compile({ ...request, offset: 0, limit: 0 }, 'all', extra, snapshot.engine);
      return snapshot.stream<Row>(sql, params);
    },
    /**
     * The plan of a page or count on `q`'s engine, one line a step, for tests and benchmarks:
     * SQLite's EXPLAIN QUERY PLAN details, PostgreSQL's EXPLAIN lines.
     */
    explain: async (q: Queryable, request: ListRequest, mode: Mode, extra: SqlParams = {}): Promise<string[]> => {
      const { sql, params } = compiler.compile(request, mode, extra, q.engine);
      if (mode === 'cappedCount') params.cap = 1;
      if (q.engine === 'postgres') return (await q.all<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params)).map((line) => line['QUERY PLAN']);
      return (await q.all<{ detail: string }>(`EXPLAIN QUERY PLAN ${sql}`, params)).map((step) => step.detail);
    },
  };
}
/** A resource's lists on the seam. */
export type ListQueries<Row> = ReturnType<typeof listStatements<Row>>;
