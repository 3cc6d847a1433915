import type { Response } from 'express';
import type { ListRequest, ListSpec, SqlParams } from '../../db/repositories/listStatements.ts';
import type { Queryable } from '../../db/storage/types.ts';
import {
  contentRange,
  listFilterSchema,
  listRangeSchema,
  listSortSchema,
  MAX_PAGE_ROWS,
  TOTAL_CAP,
  TOTAL_CAPPED_HEADER,
} from '../../shared/listQuery.ts';
import { ValidationFailed } from '../errors.ts';

/** A list request checked against its resource's declared filters and sorts. */
export interface ListPage {
  request: ListRequest;
  /** The first row asked for (the range's start). */
  start: number;
  /**
   * The total is counted to the last row and any page may be asked for: a customer, chat, run
   * or id filter bounds the list, or its resource's totals are `exact`.
   */
  exact: boolean;
}

const listParameters = new Set(['filter', 'range', 'sort']);

const firstMessage = (issues: readonly { message: string }[]): string => issues[0]?.message ?? 'is invalid';

const orList = (names: string[]): string =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;

/** The narrowing filters a person would add (the `id` list is for fetching, not browsing). */
const narrowingNames = (spec: ListSpec): string[] =>
  Object.entries(spec.filters)
    .filter(([name, def]) => def.role.kind === 'narrow' && name !== 'id')
    .map(([name]) => name);

/**
 * Parses `filter`, `range` and `sort` (the list protocol of docs/api.md) for one
 * resource. Every problem is a 400 naming its parameter — `filter.<name>` for
 * a filter — and nothing unknown is ignored.
 */
export function parseListQuery(
  resource: string,
  statements: { spec: ListSpec; isNarrowed: (filter: Record<string, unknown>) => boolean },
  query: Record<string, unknown>,
): ListPage {
  const { spec } = statements;
  // A Map, not an object literal: a parameter or filter named `__proto__` must be refused like any other, not swallowed by the assignment.
  const errors = new Map<string, string>();
  let capMessage: string | undefined;

  for (const name of Object.keys(query)) {
    if (!listParameters.has(name)) errors.set(name, 'is not a list parameter (use filter, range and sort)');
  }

  const filter: Record<string, unknown> = {};
  if (query.filter !== undefined) {
    const parsed = listFilterSchema.safeParse(query.filter);
    if (!parsed.success) {
      errors.set('filter', firstMessage(parsed.error.issues));
    } else {
      for (const [name, value] of parsed.data) {
        const def = Object.hasOwn(spec.filters, name) ? spec.filters[name] : undefined;
        if (!def) {
          errors.set(`filter.${name}`, `is not a filter of ${resource} (filters: ${Object.keys(spec.filters).join(', ')})`);
          continue;
        }
        const checked = def.schema.safeParse(value);
        if (checked.success) filter[name] = checked.data;
        else errors.set(`filter.${name}`, firstMessage(checked.error.issues));
      }
    }
  }
  const narrowed = statements.isNarrowed(filter);
  const exact = narrowed || spec.totals === 'exact';

  let sort = spec.defaultSort;
  if (query.sort !== undefined) {
    const parsed = listSortSchema.safeParse(query.sort);
    if (!parsed.success) {
      errors.set('sort', firstMessage(parsed.error.issues));
    } else {
      const [field, order] = parsed.data;
      const def = Object.hasOwn(spec.sorts, field) ? spec.sorts[field] : undefined;
      if (!def) {
        errors.set('sort', `cannot sort ${resource} by ${field} (sortable: ${Object.keys(spec.sorts).join(', ')})`);
      } else if (def.narrowedOnly && !narrowed) {
        errors.set('sort', `sorting ${resource} by ${field} needs a ${orList(narrowingNames(spec))} filter`);
      } else {
        sort = { field, order };
      }
    }
  }

  let [start, end] = [0, MAX_PAGE_ROWS - 1];
  if (query.range !== undefined) {
    const parsed = listRangeSchema.safeParse(query.range);
    if (!parsed.success) errors.set('range', firstMessage(parsed.error.issues));
    else [start, end] = parsed.data;
  }
  if (!exact && start >= TOTAL_CAP && !errors.has('range')) {
    capMessage = `This list shows its first ${TOTAL_CAP} rows only: add a ${orList(narrowingNames(spec))} filter to see further.`;
    errors.set('range', `must start below ${TOTAL_CAP} without a ${orList(narrowingNames(spec))} filter`);
  }

  // Object.fromEntries defines each name as an own property, `__proto__` included.
  if (errors.size > 0) throw new ValidationFailed(Object.fromEntries(errors), errors.size === 1 ? capMessage : undefined);
  // A capped list shows nothing past the cap, so a page never reaches beyond it.
  const last = exact ? end : Math.min(end, TOTAL_CAP - 1);
  return { request: { filter, sort, offset: start, limit: last - start + 1 }, start, exact };
}

/** What a list's statements offer through the storage seam (`listStatements`, or a list of its own shape). */
export interface SeamListStatements<Row> {
  page(q: Queryable, request: ListRequest, extra?: SqlParams): Promise<Row[]>;
  count(q: Queryable, request: ListRequest, extra?: SqlParams, cap?: number): Promise<number>;
}

/**
 * Answers one page read on `q` (`ctx.storage`: outside any transaction): the records and
 * `Content-Range: <resource> start-end/total`. The total is exact for narrowed lists and for
 * resources whose totals are `exact`; the others count at most TOTAL_CAP rows and, when more
 * match, say so with `X-Total-Capped: true` (docs/api.md, Totals). A short page is its own proof
 * of the total, so most small lists need no count query at all: one statement per request.
 */
export async function sendListPageFrom<Row, Rec>(
  q: Queryable,
  res: Response,
  resource: string,
  statements: SeamListStatements<Row>,
  page: ListPage,
  toRecord: (row: Row) => Rec,
  params: SqlParams = {},
): Promise<void> {
  const rows = await statements.page(q, page.request, params);
  const total = totalFromPage(page, rows.length) ?? countedTotal(page, await statements.count(q, page.request, params, countCap(page)));
  send(res, resource, page, rows.map(toRecord), total);
}

/** A short page is its own proof of the total, and so is an empty first page. */
function totalFromPage(page: ListPage, rows: number): { total: number; capped: boolean } | undefined {
  if (rows > 0 && rows < page.request.limit) return { total: page.start + rows, capped: false };
  if (rows === 0 && page.start === 0) return { total: 0, capped: false };
  return undefined;
}

/** Where a count stops: nowhere for exact totals; else one row past the cap tells "exactly 10,000" from "more than 10,000". */
const countCap = (page: ListPage): number | undefined => (page.exact ? undefined : TOTAL_CAP + 1);

/** The total a count (stopped at `countCap`) gives. */
const countedTotal = (page: ListPage, counted: number): { total: number; capped: boolean } =>
  page.exact ? { total: counted, capped: false } : { total: Math.min(counted, TOTAL_CAP), capped: counted > TOTAL_CAP };

function send<Rec>(res: Response, resource: string, page: ListPage, records: Rec[], { total, capped }: { total: number; capped: boolean }): void {
  res.setHeader('Content-Range', contentRange(resource, page.start, records.length, total));
  if (capped) res.setHeader(TOTAL_CAPPED_HEADER, 'true');
  res.json(records);
}
