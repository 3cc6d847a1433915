import { render, screen, within } from '@testing-library/react';
import { AdminContext, defaultI18nProvider, memoryStore, TestMemoryRouter, type GetListParams, type Store } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { Dashboard } from '../../client/Dashboard.tsx';
import { lastLookedKey } from '../../client/home/homeModel.ts';
import { addDays, utcDay } from '../../client/dashboard/dashboardModel.ts';
import type { CreditRecord } from '../../shared/credits.ts';
import type { Role } from '../../shared/roles.ts';
import { buildCredit, buildDeliveryEvent } from './creditsBuilders.ts';
import { providerWith, signedInAs } from './dashboardHarness.tsx';
import { quietDays, quietDecisions, quietDelivery } from './homeFixtures.ts';

const me = 'stf_me';

const mine = {
  delivered: buildCredit({ id: 'crd_delivered', requested_by: me, customer_name: 'Grace Hopper', delivery: [buildDeliveryEvent({ state: 'delivered' })] }),
  failing: buildCredit({ id: 'crd_failing', requested_by: me, customer_name: 'Alan Turing', delivery: [buildDeliveryEvent({ state: 'failing' })] }),
  pending: buildCredit({
    id: 'crd_pending', requested_by: me, status: 'pending_approval', transaction_id: null, customer_name: 'Ada Lovelace',
    approval_reasons: ['1,200 tokens is above the approval threshold of 500 tokens.'],
  }),
};

const approvedByLead = buildCredit({
  id: 'crd_approved', requested_by: me, decided_by: 'stf_lee', decided_by_name: 'Lee Lead', decided_at: '2026-11-21T10:00:00.000Z',
});
const rejectedByLead = buildCredit({
  id: 'crd_rejected', requested_by: me, status: 'rejected', decided_by: 'stf_lee', decided_by_name: 'Lee Lead',
  decided_at: '2026-11-21T09:30:00.000Z', decision_reason: 'Covered by the refund already', transaction_id: null,
});

/** The API of a home: my credits by filter, the team's lists and reports as the test gives them. */
const homeApi = ({
  decisions = quietDecisions,
  lists = {},
  days = quietDays,
  delivery = quietDelivery,
}: {
  decisions?: typeof quietDecisions;
  lists?: Record<string, { data: CreditRecord[]; total: number; meta?: unknown }>;
  days?: typeof quietDays;
  delivery?: typeof quietDelivery;
} = {}) => {
  const getList = vi.fn(async (resource: string, { filter }: GetListParams) => {
    if (resource === 'generations') return lists.generations ?? { data: [], total: 0 };
    if (filter.requested_by === me) {
      const rows = Object.values(mine).filter(credit => !filter.status || credit.status === filter.status);
      return { data: rows, total: rows.length };
    }
    return lists[JSON.stringify(filter)] ?? { data: [], total: 0 };
  });
  const decisionsMock = vi.fn(async (_since: string) => decisions);
  const creditReport = vi.fn(async () => days);
  const studioDeliveryReport = vi.fn(async () => delivery);
  return { dataProvider: providerWith({ getList, decisions: decisionsMock, creditReport, studioDeliveryReport } as never), getList, decisions: decisionsMock, creditReport };
};

/** A card's headline figure: the number and what it counts, one paragraph. */
const figure = (text: string) => (_: string, element: Element | null) => element?.tagName === 'P' && element.textContent === text;

const renderHome = (role: Role, api: ReturnType<typeof homeApi>, store: Store = memoryStore()) => {
  render(
    <TestMemoryRouter initialEntries={['/']}>
      <AdminContext dataProvider={api.dataProvider} authProvider={signedInAs(role, me)} store={store} i18nProvider={defaultI18nProvider}>
        <Dashboard />
      </AdminContext>
    </TestMemoryRouter>,
  );
  return store;
};

describe('the home of an agent', () => {
  it('lists their latest credits with status and delivery, and what waits for approval and why', async () => {
    const api = homeApi();
    renderHome('agent', api);
    const yours = await screen.findByRole('region', { name: 'Your credits' });
    const waiting = await within(yours).findByRole('table', { name: 'Your requests waiting for approval' });
    expect(within(waiting).getByRole('link', { name: 'crd_pending' })).toHaveAttribute('href', '/credits/crd_pending/show');
    expect(within(waiting).getByText('1,200 tokens is above the approval threshold of 500 tokens.')).toBeInTheDocument();
    expect(within(waiting).queryByText('crd_delivered')).not.toBeInTheDocument();

    const latest = within(yours).getByRole('table', { name: 'Your recent credits' });
    const row = (id: string) => within(latest).getByRole('link', { name: id }).closest('tr') as HTMLElement;
    expect(within(row('crd_delivered')).getByText('Applied')).toBeInTheDocument();
    expect(within(row('crd_delivered')).getByText('Delivered')).toBeInTheDocument();
    expect(within(row('crd_failing')).getByText('Failing')).toBeInTheDocument();
    expect(within(row('crd_pending')).getByText('Waiting for approval')).toBeInTheDocument();
    expect(api.getList).toHaveBeenCalledWith('credits', expect.objectContaining({ filter: { requested_by: me }, sort: { field: 'created_at', order: 'DESC' } }));
    // The team's overview is for leads.
    expect(screen.queryByRole('region', { name: 'Approvals waiting' })).not.toBeInTheDocument();
  });

  it('tells what leads decided since their last look, then remembers this look', async () => {
    const api = homeApi({ decisions: { since: '2026-11-21T08:00:00.000Z', as_of: '2026-11-21T11:00:00.000Z', rows: [approvedByLead, rejectedByLead] } });
    const store = memoryStore({ [lastLookedKey(me)]: '2026-11-21T08:00:00.000Z' });
    renderHome('agent', api, store);

    const decided = await screen.findByRole('region', { name: 'Decided since you last looked' });
    expect(within(decided).getByText(/^Approved by Lee Lead/)).toBeInTheDocument();
    expect(within(decided).getByText(/^Rejected by Lee Lead/)).toBeInTheDocument();
    expect(within(decided).getByText(/Covered by the refund already/)).toBeInTheDocument();
    expect(within(decided).getByRole('link', { name: 'crd_approved' })).toHaveAttribute('href', '/credits/crd_approved/show');
    expect(api.decisions).toHaveBeenCalledWith('2026-11-21T08:00:00.000Z');
    // The next look starts where the server's answer stood.
    await vi.waitFor(() => expect(store.getItem(lastLookedKey(me))).toBe('2026-11-21T11:00:00.000Z'));
    expect(screen.getByText(/^Approved by Lee Lead/)).toBeInTheDocument();
  });

  it('looks back a day on a first look, and says when nothing was decided', async () => {
    const api = homeApi();
    renderHome('agent', api);
    expect(await screen.findByText('No credit of yours was decided in the last 24 hours.')).toBeInTheDocument();
    const since = Date.parse(api.decisions.mock.calls[0][0]);
    expect(Math.abs(Date.now() - 24 * 3_600_000 - since)).toBeLessThan(60_000);
  });
});

describe('the home of a lead', () => {
  it('shows the approvals waiting, the missing refunds, the failing deliveries and today against yesterday', async () => {
    const today = utcDay(new Date());
    const oldest = buildCredit({ id: 'crd_oldest', status: 'pending_approval', amount: 800, customer_name: 'Hannah Novak', requested_by_name: 'Ada Agent', created_at: new Date(Date.now() - 2 * 3_600_000).toISOString() });
    const failing = buildCredit({ id: 'crd_stuck', amount: 300, customer_name: 'Tomás Rivera', delivery: [buildDeliveryEvent({ state: 'failing' })] });
    const api = homeApi({
      lists: {
        [JSON.stringify({ status: 'pending_approval' })]: { data: [oldest], total: 7 },
        [JSON.stringify({ delivery_state: 'failing' })]: { data: [failing], total: 1 },
        generations: { data: [], total: 10_000, meta: { totalCapped: true } },
      },
      delivery: { ...quietDelivery, counts: { pending: 2, failing: 3, given_up: 1, delivered: 40 } },
      days: { ...quietDays, rows: [{ key: addDays(today, -1), label: addDays(today, -1), count: 9, tokens: 2_100 }, { key: today, label: today, count: 12, tokens: 3_400 }] },
    });
    renderHome('lead', api);

    const approvals = await screen.findByRole('region', { name: 'Approvals waiting' });
    expect(await within(approvals).findByText(figure('7 credits wait'))).toBeInTheDocument();
    expect(within(approvals).getByRole('link', { name: '800 tokens' })).toHaveAttribute('href', '/credits/crd_oldest/show');
    expect(within(approvals).getByText(/for Hannah Novak, by Ada Agent, 2 h 00 min ago/)).toBeInTheDocument();
    expect(within(approvals).getByRole('link', { name: 'Open the approval queue' })).toHaveAttribute('href', '/approvals');

    const missing = screen.getByRole('region', { name: 'Missing refunds' });
    expect(await within(missing).findByText('10,000+')).toBeInTheDocument();

    const deliveries = screen.getByRole('region', { name: 'Failing deliveries' });
    expect(await within(deliveries).findByText(figure('3 events failing'))).toBeInTheDocument();
    expect(within(deliveries).getByText(/1 given up/)).toBeInTheDocument();
    expect(await within(deliveries).findByRole('link', { name: '300 tokens' })).toHaveAttribute('href', '/credits/crd_stuck/show');

    const credits = screen.getByRole('region', { name: 'Credits today' });
    expect(await within(credits).findByText(figure('3,400 tokens'))).toBeInTheDocument();
    expect(within(credits).getByText(/12 credits, 3 more than yesterday \(9 credits, 2,100 tokens\)/)).toBeInTheDocument();
    expect(api.creditReport).toHaveBeenCalledWith({ from: addDays(today, -1), to: today, group_by: 'day' });

    // And below, the lead's own credits, as any agent's.
    expect(screen.getByRole('region', { name: 'Your credits' })).toBeInTheDocument();
  });
});
