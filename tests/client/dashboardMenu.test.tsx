import { act, screen, waitFor } from '@testing-library/react';
import { ResourceDefinitionContextProvider, type GetListParams } from 'react-admin';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeskMenu } from '../../client/layout/DeskMenu.tsx';
import { LIVE_REFRESH_MS } from '../../client/layout/liveCounts.ts';
import staff from '../../client/staff/index.ts';
import type { Role } from '../../shared/roles.ts';
import { providerWith, renderAs } from './dashboardHarness.tsx';

const definitions = {
  customers: { name: 'customers', hasList: true },
  staff: { name: 'staff', hasList: true, hasShow: true, hasCreate: true, options: staff.options },
};

type Answer = { data: never[]; total: number; meta?: unknown };

const menuFor = (
  role: Role,
  answer: (resource: string, params: GetListParams) => Answer = resource => ({ data: [], total: resource === 'generations' ? 3 : 0 }),
) => {
  const getList = vi.fn(async (resource: string, params: GetListParams) => answer(resource, params));
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

describe('the counts in the menu', () => {
  afterEach(() => vi.useRealTimers());

  it('refresh by themselves: a credit waiting or a refund gone missing elsewhere shows without a reload', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const waiting = { credits: 1, generations: 3 };
    menuFor('lead', resource => ({ data: [], total: resource === 'credits' ? waiting.credits : resource === 'generations' ? waiting.generations : 0 }));
    expect(await screen.findByLabelText('1 waiting')).toBeInTheDocument();
    expect(await screen.findByLabelText('3 waiting')).toBeInTheDocument();

    waiting.credits = 2;
    waiting.generations = 4;
    await act(() => vi.advanceTimersByTimeAsync(LIVE_REFRESH_MS));
    expect(await screen.findByLabelText('2 waiting')).toBeInTheDocument();
    expect(await screen.findByLabelText('4 waiting')).toBeInTheDocument();
  });

  it('say "10,000+" for missing refunds only when the runs list stopped counting', async () => {
    menuFor('agent', resource => (resource === 'generations' ? { data: [], total: 10_000, meta: { totalCapped: true } } : { data: [], total: 0 }));
    expect(await screen.findByLabelText('10,000+ waiting')).toBeInTheDocument();
  });

  it('give an exact 10,000 as it is', async () => {
    menuFor('agent', resource => ({ data: [], total: resource === 'generations' ? 10_000 : 0 }));
    expect(await screen.findByLabelText('10,000 waiting')).toBeInTheDocument();
  });
});
