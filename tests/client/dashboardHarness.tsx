import { render } from '@testing-library/react';
import type { ReactElement } from 'react';
import {
  AdminContext,
  defaultI18nProvider,
  memoryStore,
  Notification,
  ResourceContextProvider,
  testDataProvider,
  TestMemoryRouter,
  type AuthProvider,
  type DataProvider,
} from 'react-admin';
import { Route, Routes, type Location } from 'react-router-dom';
import type { Role } from '../../shared/roles.ts';
import type { CreditRecord } from '../../shared/credits.ts';
import type { StaffRecord } from '../../shared/staff.ts';

/**
 * The role-aware rendering the lead and admin screens need (dashboard, missing refunds, staff,
 * account): like adminHarness's `renderPage`, plus an auth provider signed in as `role` and the
 * notifications the layout would show.
 */
export const signedInAs = (role: Role, id = `stf_${role}`): AuthProvider => ({
  login: async () => undefined,
  logout: async () => undefined,
  checkAuth: async () => undefined,
  checkError: async () => undefined,
  getPermissions: async () => role,
  getIdentity: async () => ({ id, fullName: `The ${role}`, role }),
});

/** A `testDataProvider` with the given methods (CRUD or the app's extra ones), every one a test's mock. */
export const providerWith = (methods: Record<string, (...args: never[]) => Promise<unknown>>): DataProvider =>
  testDataProvider(methods as never) as DataProvider;

export const renderAs = ({
  role,
  element,
  path,
  route = '*',
  resource,
  dataProvider,
  userId,
}: {
  role: Role;
  element: ReactElement;
  path: string;
  route?: string;
  resource?: string;
  dataProvider: DataProvider;
  userId?: string;
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
      <AdminContext dataProvider={dataProvider} authProvider={signedInAs(role, userId)} store={memoryStore()} i18nProvider={defaultI18nProvider}>
        <Routes>
          <Route path={route} element={page} />
        </Routes>
        <Notification />
      </AdminContext>
    </TestMemoryRouter>,
  );
  return { ...view, location };
};

/** The filter a list path carries in its `filter` query parameter. */
export const filterOf = (location: Location | undefined): unknown =>
  JSON.parse(new URLSearchParams(location?.search ?? '').get('filter') ?? 'null');

export const buildStaff = (overrides: Partial<StaffRecord> = {}): StaffRecord => ({
  id: 'stf_jane',
  email: 'jane@tokendesk.test',
  name: 'Jane Doe',
  role: 'agent',
  disabled: false,
  must_change_password: false,
  created_at: '2026-11-01T09:00:00.000Z',
  updated_at: '2026-11-01T09:00:00.000Z',
  ...overrides,
});

export const buildCredit = (overrides: Partial<CreditRecord> = {}): CreditRecord => ({
  id: 'crd_1',
  customer_id: 'cus_7',
  customer_name: 'Grace Hopper',
  amount: 495,
  items: [{ generation_id: 'gen_1', tokens: 495 }],
  reason: 'off_prompt',
  ticket_ref: 'T-100',
  expected: 'A red car',
  received: 'A blue car',
  note: null,
  customer_asset_urls: [],
  evidence: {},
  status: 'applied',
  requested_by: 'stf_ada',
  requested_by_name: 'Ada Agent',
  decided_by: null,
  decided_by_name: null,
  decided_at: null,
  decision_reason: null,
  voided_by: null,
  voided_by_name: null,
  voided_at: null,
  void_reason: null,
  transaction_id: 'tx_credit_1',
  void_transaction_id: null,
  balance_after: 10_000,
  approval_reasons: [],
  anomalies: [],
  created_at: '2026-11-20T10:00:00.000Z',
  ...overrides,
});
