import { z } from 'zod';

/**
 * The list protocol of ra-data-simple-rest (docs/api.md, Conventions):
 * `GET /api/<resource>?filter={json}&range=[start,end]&sort=["field","ASC|DESC"]`,
 * answered with a JSON array and `Content-Range: <resource> start-end/total`.
 */

/** The most rows one page may hold. */
export const MAX_PAGE_ROWS = 500;

/**
 * Lists over the big tables without a narrowing filter (`customer_id`, `chat_id`,
 * `generation_id`, `id`, …) stop counting here and report this figure as their
 * total; a range starting at or beyond it asks for a narrower filter. Credits,
 * customers and staff always count exactly (docs/api.md, Totals).
 */
export const TOTAL_CAP = 10_000;

/**
 * Sent as `X-Total-Capped: true` on a list answer whose total stopped counting at
 * TOTAL_CAP: more rows match than `Content-Range` says, so the total must never
 * be shown as an exact figure. Absent when the total is exact.
 */
export const TOTAL_CAPPED_HEADER = 'X-Total-Capped';

export const sortOrders = ['ASC', 'DESC'] as const;
export type SortOrder = (typeof sortOrders)[number];

const fromJson = (value: string, ctx: z.RefinementCtx): unknown => {
  try {
    return JSON.parse(value);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
    return z.NEVER;
  }
};

/** A query parameter holding JSON, decoded and checked by `schema`. */
const jsonParam = <S extends z.ZodType>(schema: S) =>
  z.string({ error: 'must be given once, as JSON' }).transform(fromJson).pipe(schema);

const RANGE_SHAPE = 'must be [start, end]: two whole numbers, 0 or more';
const rangeBound = z.int({ error: RANGE_SHAPE }).min(0, RANGE_SHAPE);

export const listRangeSchema = jsonParam(
  z
    .tuple([rangeBound, rangeBound], { error: RANGE_SHAPE })
    .refine(([start, end]) => end >= start, 'must end at or after its start')
    .refine(([start, end]) => end - start < MAX_PAGE_ROWS, `must span at most ${MAX_PAGE_ROWS} rows`),
);

const SORT_SHAPE = 'must be ["field", "ASC" or "DESC"]';

export const listSortSchema = jsonParam(
  z.tuple([z.string({ error: SORT_SHAPE }).min(1, SORT_SHAPE), z.enum(sortOrders, { error: SORT_SHAPE })], { error: SORT_SHAPE }),
);

const isJsonObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The filter object as sent, as its `[name, value]` pairs; each resource checks
 * the names and values. Pairs, not a copied object: JSON.parse keeps a
 * `__proto__` key as an own property, but copying it into a plain object (as
 * `z.record` does) sets the copy's prototype instead, and the key would vanish
 * without being refused.
 */
export const listFilterSchema = jsonParam(
  z
    .custom<Record<string, unknown>>(isJsonObject, { error: 'must be a JSON object of filter names to values' })
    .transform((filter) => Object.entries(filter)),
);

const MAX_ID_LENGTH = 255;
const idSchema = z.string().min(1, 'must not be empty').max(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`);

/** An id filter: one id, or a list of at most a page of ids (`filter={"id":[...]}`). */
export const idFilterSchema = z.union(
  [idSchema, z.array(idSchema).max(MAX_PAGE_ROWS, `must list at most ${MAX_PAGE_ROWS} ids`)],
  { error: 'must be an id or a list of ids' },
);

/** A value from a small open set (a tool, a plan). */
export const nameFilterSchema = z.string({ error: 'must be text' }).min(1, 'must not be empty').max(100, 'must be at most 100 characters');

/** A free-text filter; blank means no filter. */
export const textFilterSchema = z
  .string({ error: 'must be text' })
  .trim()
  .max(200, 'must be at most 200 characters')
  .transform((text) => (text === '' ? undefined : text));

const DAY_MS = 86_400_000;
const TIME_BOUND_SHAPE = 'must be an ISO 8601 date-time with Z or an offset (2026-11-20T09:30:00Z), or a date (2026-11-20)';

/**
 * A `_gte` / `_lte` time bound: an ISO 8601 date-time with `Z` or an offset,
 * or a date (a whole UTC day: its start for `_gte`, its last millisecond for
 * `_lte`). Normalised to the stored form (`toISOString`), so comparing the
 * ISO text compares the instants.
 */
export const timeBoundSchema = (edge: 'gte' | 'lte') =>
  z.union([z.iso.datetime({ offset: true }), z.iso.date()], { error: TIME_BOUND_SHAPE }).transform((value, ctx) => {
    const dayStart = Date.parse(`${value}T00:00:00.000Z`);
    const instant = value.length > 10 ? Date.parse(value) : edge === 'gte' ? dayStart : dayStart + DAY_MS - 1;
    if (Number.isNaN(instant)) {
      ctx.addIssue({ code: 'custom', message: TIME_BOUND_SHAPE });
      return z.NEVER;
    }
    return new Date(instant).toISOString();
  });

/** Builds the `Content-Range` header of a list page (`*` when the page holds no row). */
export function contentRange(resource: string, start: number, rows: number, total: number): string {
  return rows === 0 ? `${resource} */${total}` : `${resource} ${start}-${start + rows - 1}/${total}`;
}
