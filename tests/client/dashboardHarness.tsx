import { testDataProvider, type AuthProvider, type DataProvider } from 'react-admin';
import type { Location } from 'react-router-dom';
import type { Role } from '../../shared/roles.ts';
import type { CreditRecord } from '../../shared/credits.ts';
import type { StaffRecord } from '../../shared/staff.ts';
import { renderPage } from './adminHarness.tsx';
import { buildCredit as buildCreditRecord } from './creditsBuilders.ts';
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

/** The credits builder's record with this file's defaults: an off-prompt grant of 495 tokens by another agent. */
export const buildCredit = (overrides: Partial<CreditRecord> = {}): CreditRecord =>
  buildCreditRecord({
    amount: 495,
    items: [{ generation_id: 'gen_1', tokens: 495 }],
    reason: 'off_prompt',
    ticket_ref: 'T-100',
    expected: 'A red car',
    received: 'A blue car',
    evidence: {},
    requested_by: 'stf_ada',
    transaction_id: 'tx_credit_1',
    balance_after: 10_000,
    created_at: '2026-11-20T10:00:00.000Z',
    ...overrides,
  });
