import type { AuthProvider, GetManyParams, RaRecord } from 'react-admin';
import { vi } from 'vitest';
import type { Role } from '../../shared/roles.ts';
import { defaultPolicy } from './creditsBuilders.ts';
import { fakeApi, renderPage } from './adminHarness.tsx';

export interface StaffUser {
  id: string;
  name: string;
  role: Role;
}

export const agent: StaffUser = { id: 'stf_agent', name: 'Ada Agent', role: 'agent' };
export const lead: StaffUser = { id: 'stf_lead', name: 'Lee Lead', role: 'lead' };
export const admin: StaffUser = { id: 'stf_admin', name: 'Ari Admin', role: 'admin' };

/** An auth provider for `user`: react-admin's identity and permissions (the role), nothing else. */
export const signedInAs = (user: StaffUser): AuthProvider => ({
  login: async () => undefined,
  logout: async () => undefined,
  checkAuth: async () => undefined,
  checkError: async () => undefined,
  getIdentity: async () => ({ id: user.id, fullName: user.name, role: user.role }),
  getPermissions: async () => user.role,
});

type Tables = Parameters<typeof fakeApi>[0];

/**
 * `fakeApi` plus `getMany` over the same tables and the domain methods of `AppDataProvider`, each a
 * mock (the policy answers the defaults; the rest must be given by the test that uses them).
 */
export const creditsApi = (tables: Tables) => {
  const api = fakeApi(tables);
  const getMany = vi.fn(async (resource: string, { ids }: GetManyParams) => ({
    data: ((tables as Record<string, RaRecord[] | undefined>)[resource] ?? []).filter(row => ids.map(String).includes(String(row.id))),
  }));
  const domain = {
    getMany,
    eligibility: vi.fn(),
    requestCredit: vi.fn(),
    approveCredit: vi.fn(),
    rejectCredit: vi.fn(),
    voidCredit: vi.fn(),
    verifyAudit: vi.fn(),
    getPolicy: vi.fn(async () => defaultPolicy),
    updatePolicy: vi.fn(),
  };
  const dataProvider = Object.assign(api.dataProvider, domain);
  return { ...api, ...domain, dataProvider };
};

/** Renders `element` at `path` as adminHarness's `renderPage` does, with `user` signed in. */
export const renderAs = ({ user, ...page }: { user: StaffUser } & Omit<Parameters<typeof renderPage>[0], 'authProvider'>) =>
  renderPage({ ...page, authProvider: signedInAs(user) });
