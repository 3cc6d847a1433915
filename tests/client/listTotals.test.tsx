import { screen } from '@testing-library/react';
import { ListBase, type GetListParams } from 'react-admin';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { dataProvider } from '../../client/dataProvider.ts';
import { ListPagination } from '../../client/lists/ListPagination.tsx';
import { readListTotal } from '../../client/lists/listTotal.ts';
import { MissingRefundQueue } from '../../client/missingRefunds/MissingRefundQueue.tsx';
import { renderPage } from './adminHarness.tsx';
import { providerWith, renderAs } from './dashboardHarness.tsx';
import { jsonResponse, sentRequest, stubFetch } from './fetchStub.ts';
import { buildRun } from './recordBuilders.ts';

afterEach(() => vi.unstubAllGlobals());

const page = (rows: number, total: number) => Array.from({ length: Math.min(rows, total) }, (_, i) => buildRun({ id: `gen_${i}` }));

describe('list totals from the server', () => {
  it('reads the total and whether it stopped counting from the answer headers', () => {
    expect(readListTotal(new Headers({ 'Content-Range': 'transactions 0-24/10000', 'X-Total-Capped': 'true' }))).toEqual({ total: 10_000, capped: true });
    expect(readListTotal(new Headers({ 'Content-Range': 'credits 0-24/10040' }))).toEqual({ total: 10_040, capped: false });
    expect(readListTotal(new Headers({ 'Content-Range': 'credits */0' }))).toEqual({ total: 0, capped: false });
    expect(() => readListTotal(new Headers())).toThrow(/Content-Range/);
  });

  it('asks for a page as ra-data-simple-rest does, and passes a capped total on as the page\'s meta', async () => {
    const fetchMock = stubFetch(url =>
      url.startsWith('/api/transactions')
        ? jsonResponse([], 200, { 'Content-Range': 'transactions 25-49/10000', 'X-Total-Capped': 'true' })
        : jsonResponse([], 200, { 'Content-Range': 'credits 0-24/10040' }),
    );
    const params = { pagination: { page: 2, perPage: 25 }, sort: { field: 'created_at', order: 'DESC' }, filter: { kind: 'charge' } } as const;
    await expect(dataProvider.getList('transactions', params)).resolves.toEqual({ data: [], total: 10_000, meta: { totalCapped: true } });
    const { url } = sentRequest(fetchMock, 0);
    expect(url.pathname).toBe('/api/transactions');
    expect(Object.fromEntries(url.searchParams)).toEqual({ filter: '{"kind":"charge"}', range: '[25,49]', sort: '["created_at","DESC"]' });
    await expect(dataProvider.getList('credits', { ...params, pagination: { page: 1, perPage: 25 } })).resolves.toEqual({ data: [], total: 10_040 });
  });
});

describe('the pagination of a list', () => {
  const renderList = (total: number, meta?: unknown) => {
    const getList = vi.fn(async (_resource: string, { pagination }: GetListParams) => ({ data: page(pagination?.perPage ?? 25, total), total, meta }));
    renderPage({
      path: '/',
      dataProvider: providerWith({ getList } as never),
      element: (
        <ListBase resource="generations" perPage={25} disableSyncWithLocation>
          <ListPagination />
        </ListBase>
      ),
    });
  };

  it('says "more than 10,000" when the server stopped counting, never the cap as the total', async () => {
    renderList(10_000, { totalCapped: true });
    expect(await screen.findByText('1–25 of more than 10,000')).toBeInTheDocument();
    expect(screen.queryByText(/of 10000/)).not.toBeInTheDocument();
  });

  it('gives an exact total as it is, 10,000 included', async () => {
    renderList(10_000);
    expect(await screen.findByText('1-25 of 10000')).toBeInTheDocument();
    expect(screen.queryByText(/more than/)).not.toBeInTheDocument();
  });

  it('shows the missing-refund queue of a busy day as "more than 10,000"', async () => {
    const getList = vi.fn(async () => ({ data: page(25, 10_000), total: 10_000, meta: { totalCapped: true } }));
    const getMany = vi.fn(async () => ({ data: [] }));
    renderAs({ role: 'agent', path: '/missing-refunds', dataProvider: providerWith({ getList, getMany } as never), element: <MissingRefundQueue /> });
    expect(await screen.findByText('1–25 of more than 10,000')).toBeInTheDocument();
  });
});
