import type { DataProvider, GetListParams, GetListResult, fetchUtils } from 'react-admin';
import { TOTAL_CAP, TOTAL_CAPPED_HEADER } from '../../shared/listQuery.ts';

/** What a list answer's headers say about its total (docs/api.md, Totals). */
export interface ListTotal {
  total: number;
  /** The server stopped counting at TOTAL_CAP: more rows match than `total`. */
  capped: boolean;
}

/** `Content-Range: <resource> start-end/total` and `X-Total-Capped`, as the list protocol sends them. */
export const readListTotal = (headers: Headers): ListTotal => {
  const range = headers.get('Content-Range');
  const total = range ? Number.parseInt(range.split('/').pop() ?? '', 10) : Number.NaN;
  if (!Number.isInteger(total)) throw new Error(`The list answer has no usable Content-Range header (${range ?? 'none'}).`);
  return { total, capped: headers.get(TOTAL_CAPPED_HEADER) === 'true' };
};

/** The `meta` a list page carries to the screen: present only when its total is capped. */
export interface ListTotalMeta {
  totalCapped?: boolean;
}

export const isTotalCapped = (meta: unknown): boolean =>
  typeof meta === 'object' && meta !== null && (meta as ListTotalMeta).totalCapped === true;

const cappedFigure = TOTAL_CAP.toLocaleString('en-US');

/** "1–25 of more than 10,000": the pagination of a list whose total stopped counting. */
export const cappedRangeLabel = (from: number, to: number): string => `${from}–${to} of more than ${cappedFigure}`;

/** "10,000+" where a capped count stands alone (a menu badge). */
export const countLabel = (total: number, capped: boolean): string => `${total.toLocaleString('en-US')}${capped ? '+' : ''}`;

type HttpClient = (url: string, options?: fetchUtils.Options) => Promise<{ headers: Headers; json: unknown }>;

/**
 * ra-data-simple-rest's `getList`, request for request, that also reads `X-Total-Capped`: a page
 * of a list that stopped counting carries `meta: { totalCapped: true }`, so the screen never
 * shows the cap as an exact total.
 */
export const listWithTotals =
  (apiUrl: string, httpClient: HttpClient): DataProvider['getList'] =>
  async (resource: string, params: GetListParams): Promise<GetListResult> => {
    const { page, perPage } = params.pagination ?? { page: 1, perPage: 10 };
    const { field, order } = params.sort ?? { field: 'id', order: 'ASC' };
    const start = (page - 1) * perPage;
    const query = new URLSearchParams({
      filter: JSON.stringify(params.filter),
      range: JSON.stringify([start, start + perPage - 1]),
      sort: JSON.stringify([field, order]),
    });
    const { headers, json } = await httpClient(`${apiUrl}/${resource}?${query}`, { signal: params.signal });
    const { total, capped } = readListTotal(headers);
    const meta: ListTotalMeta | undefined = capped ? { totalCapped: true } : undefined;
    return { data: json as GetListResult['data'], total, ...(meta ? { meta } : {}) };
  };
