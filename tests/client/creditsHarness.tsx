import type { AuthProvider, GetManyParams, RaRecord } from 'react-admin';
import { vi } from 'vitest';
import type { StudioDeliverySettings } from '../../shared/delivery.ts';
import type { Role } from '../../shared/roles.ts';
import { defaultPolicy } from './creditsBuilders.ts';
import { fakeApi, renderPage } from './adminHarness.tsx';

export interface StaffUser {
  id: string;
  name: string;
  role: Role;
  /** How the console reaches the studio, as the session says: the webhook push unless told. */
  studio_delivery?: StudioDeliverySettings;
  /** The helpdesk's ticket address (HELPDESK_TICKET_URL), when the console knows it. */
  helpdesk_ticket_url?: string | null;
}

export const pushOn: StudioDeliverySettings = { push_enabled: true, feed_enabled: false };
export const nothingConfigured: StudioDeliverySettings = { push_enabled: false, feed_enabled: false };

export const agent: StaffUser = { id: 'stf_agent', name: 'Ada Agent', role: 'agent' };
export const lead: StaffUser = { id: 'stf_lead', name: 'Lee Lead', role: 'lead' };
export const admin: StaffUser = { id: 'stf_admin', name: 'Ari Admin', role: 'admin' };

/** An auth provider for `user`: react-admin's identity (with the session's studio delivery) and permissions (the role). */
export const signedInAs = (user: StaffUser): AuthProvider => ({
  login: async () => undefined,
  logout: async () => undefined,
  checkAuth: async () => undefined,
  checkError: async () => undefined,
  getIdentity: async () => ({ id: user.id, fullName: user.name, role: user.role, studio_delivery: user.studio_delivery ?? pushOn,
    helpdesk_ticket_url: user.helpdesk_ticket_url ?? null,
  }),
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
    retryCreditDelivery: vi.fn(),
    retryGivenUpDeliveries: vi.fn(),
    studioDeliveryReport: vi.fn(),
  };
  const dataProvider = Object.assign(api.dataProvider, domain);
  return { ...api, ...domain, dataProvider };
};

/** Renders `element` at `path` as adminHarness's `renderPage` does, with `user` signed in. */
export const renderAs = ({ user, ...page }: { user: StaffUser } & Omit<Parameters<typeof renderPage>[0], 'authProvider'>) =>
  renderPage({ ...page, authProvider: signedInAs(user) });
