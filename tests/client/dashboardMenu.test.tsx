import { screen, waitFor } from '@testing-library/react';
import { ResourceDefinitionContextProvider, type GetListParams } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { DeskMenu } from '../../client/layout/DeskMenu.tsx';
import staff from '../../client/staff/index.ts';
import type { Role } from '../../shared/roles.ts';
import { providerWith, renderAs } from './dashboardHarness.tsx';

const definitions = {
  customers: { name: 'customers', hasList: true },
  staff: { name: 'staff', hasList: true, hasShow: true, hasCreate: true, options: staff.options },
};

const menuFor = (role: Role) => {
  const getList = vi.fn(async (resource: string, _params: GetListParams) => ({ data: [], total: resource === 'generations' ? 3 : 0 }));
  renderAs({
    role,
    path: '/',
    dataProvider: providerWith({ getList } as never),
    element: (
      <ResourceDefinitionContextProvider definitions={definitions}>
        <DeskMenu />
      </ResourceDefinitionContextProvider>
    ),
  });
  return { getList };
};

const entries = async (role: Role) => {
  menuFor(role);
  await screen.findByRole('menuitem', { name: /Customers/ });
  await waitFor(() => expect(screen.getByLabelText('3 waiting')).toBeInTheDocument());
  return screen.getAllByRole('menuitem').map(item => item.textContent);
};

describe('the menu by role', () => {
  it('gives admins the dashboard, staff and the missing refunds with their count', async () => {
    expect(await entries('admin')).toEqual(expect.arrayContaining(['Home', 'Dashboard', 'Staff', 'Missing refunds3']));
  });

  it('gives leads the dashboard and the staff list too', async () => {
    expect(await entries('lead')).toEqual(expect.arrayContaining(['Dashboard', 'Staff', 'Missing refunds3']));
  });

  it('gives agents the missing refunds (they credit them) but neither the dashboard nor staff', async () => {
    const shown = await entries('agent');
    expect(shown).toContain('Missing refunds3');
    expect(shown).not.toContain('Dashboard');
    expect(shown).not.toContain('Staff');
  });
});
