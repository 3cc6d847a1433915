import { testDataProvider, type AuthProvider, type DataProvider } from 'react-admin';
import type { Location } from 'react-router-dom';
import type { Role } from '../../shared/roles.ts';
import type { CreditRecord } from '../../shared/credits.ts';
import type { StaffRecord } from '../../shared/staff.ts';
import { renderPage } from './adminHarness.tsx';
import { signedInAs as signedInAsUser } from './creditsHarness.tsx';

/** Signed in by role alone, for the lead and admin screens (dashboard, missing refunds, staff, account). */
export const signedInAs = (role: Role, id = `stf_${role}`): AuthProvider => signedInAsUser({ id, name: `The ${role}`, role });

/** A `testDataProvider` with the given methods (CRUD or the app's extra ones), every one a test's mock. */
export const providerWith = (methods: Record<string, (...args: never[]) => Promise<unknown>>): DataProvider =>
  testDataProvider(methods as never) as DataProvider;

/** adminHarness's `renderPage` with someone of `role` signed in. */
export const renderAs = ({ role, userId, ...page }: { role: Role; userId?: string } & Omit<Parameters<typeof renderPage>[0], 'authProvider'>) =>
  renderPage({ ...page, authProvider: signedInAs(role, userId) });

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
