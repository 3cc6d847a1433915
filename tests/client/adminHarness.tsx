import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import {
  AdminContext,
  defaultI18nProvider,
  HttpError,
  memoryStore,
  Notification,
  ResourceContextProvider,
  testDataProvider,
  TestMemoryRouter,
  type AuthProvider,
  type DataProvider,
  type GetListParams,
  type RaRecord,
} from 'react-admin';
import { Route, Routes, type Location } from 'react-router-dom';
import { vi } from 'vitest';
import type { LookupResult } from '../../shared/lookup.ts';

type Tables = Partial<Record<'customers' | 'chats' | 'generations' | 'transactions' | 'assets' | 'credits' | 'audit' | 'staff', RaRecord[]>>;

/** A credit's events (`delivery`), as the credits list's `delivery_state` filter reads them: `pending` takes in `delivering`. */
const hasDeliveryState = (row: RaRecord, state: unknown): boolean =>
  Array.isArray(row.delivery) &&
  (row.delivery as { state: string }[]).some(event => event.state === state || (state === 'pending' && event.state === 'delivering'));

/**
 * Whether `row` passes a simple-REST filter as the API reads it: `_gte`/`_lte` bounds, id lists,
 * a credit's delivery state, equality.
 */
const matches = (row: RaRecord, filter: Record<string, unknown>): boolean =>
  Object.entries(filter).every(([name, value]) => {
    if (name === 'delivery_state') return hasDeliveryState(row, value);
    if (name.endsWith('_gte')) return String(row[name.slice(0, -4)]) >= String(value);
    if (name.endsWith('_lte')) return String(row[name.slice(0, -4)]) <= String(value);
    if (name === 'q') return JSON.stringify(row).toLowerCase().includes(String(value).toLowerCase());
    if (Array.isArray(value)) return value.includes(row[name]);
    return row[name] === value;
  });

/**
 * A `testDataProvider` over in-memory tables: `getList` filters like the API (it does not sort:
 * each table is stored in the order the API would answer), `getOne` answers 404 for an unknown id,
 * `lookup` answers as the test says. Every method is a mock, so tests assert the calls made.
 */
export const fakeApi = (tables: Tables, lookup?: (q: string) => Promise<LookupResult>) => {
  const getList = vi.fn(async (resource: string, params: GetListParams) => {
    const rows = (tables[resource as keyof Tables] ?? []).filter(row => matches(row, params.filter ?? {}));
    const { page, perPage } = params.pagination ?? { page: 1, perPage: rows.length };
    return { data: rows.slice((page - 1) * perPage, page * perPage), total: rows.length };
  });
  const getOne = vi.fn(async (resource: string, { id }: { id: unknown }) => {
    const row = (tables[resource as keyof Tables] ?? []).find(candidate => candidate.id === id);
    if (!row) throw new HttpError(`Not found: ${String(id)}`, 404, { code: 'not_found', message: `Not found: ${String(id)}` });
    return { data: row };
  });
  const lookupMock = vi.fn(lookup ?? (async (q: string) => Promise.reject(new HttpError(`Nothing matches "${q}".`, 404, {}))));
  const dataProvider = Object.assign(testDataProvider({ getList, getOne } as never), { lookup: lookupMock });
  return { dataProvider, getList, getOne, lookup: lookupMock };
};

/**
 * Renders `element` as react-admin would at `path`: inside `AdminContext` with a fresh
 * `memoryStore()`, a memory router, and the route (with its `:id`) and resource of a page.
 * `location.current` follows every navigation.
 */
export const renderPage = ({
  element,
  path,
  route = '*',
  resource,
  dataProvider,
  authProvider,
}: {
  element: ReactElement;
  path: string;
  route?: string;
  resource?: string;
  dataProvider: DataProvider;
  /** A signed-in user (`signedInAs` of creditsHarness); none for the screens every role shares. */
  authProvider?: AuthProvider;
}) => {
  const location: { current?: Location } = {};
  const page = resource ? <ResourceContextProvider value={resource}>{element}</ResourceContextProvider> : element;
  const view = render(
    <TestMemoryRouter
      initialEntries={[path]}
      locationCallback={current => {
        location.current = current;
      }}
    >
      <AdminContext dataProvider={dataProvider} authProvider={authProvider} store={memoryStore()} i18nProvider={defaultI18nProvider}>
        <Routes>
          <Route path={route} element={page} />
        </Routes>
        <Notification />
      </AdminContext>
    </TestMemoryRouter>,
  );
  return { ...view, location };
};
