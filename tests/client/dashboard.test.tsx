import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpError, type GetListParams } from 'react-admin';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExportCsvButton } from '../../client/dashboard/ExportCsvButton.tsx';
import { LeadDashboard } from '../../client/dashboard/LeadDashboard.tsx';
import type { CreditReport, RefundReport } from '../../shared/reports.ts';
import type { Role } from '../../shared/roles.ts';
import { buildDeliveryReport } from './creditsBuilders.ts';
import { buildCredit, filterOf, providerWith, renderAs } from './dashboardHarness.tsx';
import { List, TopToolbar } from 'react-admin';

const creditRows: Record<CreditReport['group_by'], CreditReport['rows']> = {
  day: [
    { key: '2026-11-19', label: '2026-11-19', count: 2, tokens: 300 },
    { key: '2026-11-23', label: '2026-11-23', count: 3, tokens: 1007 },
  ],
  agent: [
    { key: 'stf_ada', label: 'Ada Agent', count: 14, tokens: 1256 },
    { key: 'stf_sam', label: 'Sam Support', count: 9, tokens: 915 },
  ],
  reason: [
    { key: 'wrong_format_or_length', label: 'wrong_format_or_length', count: 5, tokens: 822 },
    { key: 'off_prompt', label: 'off_prompt', count: 12, tokens: 603 },
  ],
  tool: [
    { key: 'video', label: 'video', count: 5, tokens: 1975 },
    { key: 'no run (goodwill)', label: 'no run (goodwill)', count: 1, tokens: 50 },
  ],
};

const refundRows: RefundReport['rows'] = [
  { tool: 'image', failed: 79, not_charged: 14, auto_refunded: 64, refund_pending: 0, refund_missing: 1, auto_refund_rate: 0.9846 },
  { tool: 'animation', failed: 34, not_charged: 2, auto_refunded: 29, refund_pending: 0, refund_missing: 3, auto_refund_rate: 0.9063 },
];

const flagged = [
  buildCredit({
    id: 'crd_near',
    amount: 495,
    anomalies: [{ rule: 'near_threshold', message: '495 tokens is just under the approval threshold of 500.' }],
  }),
  buildCredit({
    id: 'crd_spike',
    amount: 800,
    customer_name: 'Erik Lindqvist',
    anomalies: [
      { rule: 'agent_volume', message: "Ada Agent's credits on 2026-11-23 total 1,007 tokens, 28.8× their daily average of 35 over the previous 30 days." },
      { rule: 'repeat_customer', message: 'Erik Lindqvist already had 2 credits in the 30 days before this one.' },
    ],
  }),
];

type Period = { from?: string; to?: string };

type ReportMethod = 'creditReport' | 'refundReport' | 'anomalies' | 'studioDeliveryReport' | 'retryGivenUpDeliveries';

const reportsApi = (overrides: Partial<Record<ReportMethod, (params: never) => Promise<unknown>>> = {}) => {
  const creditReport = vi.fn(
    overrides.creditReport ??
      (async ({ from, to, group_by }: Period & { group_by: CreditReport['group_by'] }) => ({ from, to, group_by, rows: creditRows[group_by] })),
  );
  const refundReport = vi.fn(overrides.refundReport ?? (async ({ from, to }: Period) => ({ from, to, rows: refundRows })));
  const anomalies = vi.fn(overrides.anomalies ?? (async ({ from, to }: Period) => ({ from, to, rows: flagged })));
  const studioDeliveryReport = vi.fn(overrides.studioDeliveryReport ?? (async () => buildDeliveryReport()));
  const retryGivenUpDeliveries = vi.fn(overrides.retryGivenUpDeliveries ?? (async () => ({ retried: 0 })));
  const dataProvider = providerWith({ creditReport, refundReport, anomalies, studioDeliveryReport, retryGivenUpDeliveries } as never);
  return { dataProvider, creditReport, refundReport, anomalies, studioDeliveryReport, retryGivenUpDeliveries };
};

const openDashboard = (path = '/dashboard?days=7', role: Role = 'lead', api = reportsApi()) => {
  const view = renderAs({ role, element: <LeadDashboard />, path, route: '/dashboard', dataProvider: api.dataProvider });
  return { ...api, ...view };
};

/** The report card titled `title` (each is a region named by its heading). */
const card = (title: string) => screen.getByRole('region', { name: title });

/** The clickable bar rectangles of a chart's `series`-th bar series (recharts draws them as paths). */
const bars = (region: HTMLElement, series = 0) => {
  const layer = region.querySelectorAll('.recharts-bar')[series];
  return [...(layer?.querySelectorAll('.recharts-rectangle') ?? [])];
};

beforeEach(() => {
  // Only the date is fixed ("today" is 2026-11-24 UTC); timers stay real for react-admin and user-event.
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-24T10:00:00.000Z'));
});
afterEach(() => vi.useRealTimers());

describe('the lead dashboard', () => {
  it('asks each report for the chosen period and shows its figures', async () => {
    const { creditReport, refundReport, anomalies } = openDashboard();

    const agents = await screen.findByRole('table', { name: 'Credits per agent: figures' });
    expect(within(agents).getByRole('link', { name: 'Ada Agent' })).toBeInTheDocument();
    expect(within(agents).getByText('1,256')).toBeInTheDocument();
    expect(within(agents).getByText('14')).toBeInTheDocument();

    for (const group of ['day', 'agent', 'reason', 'tool']) {
      expect(creditReport).toHaveBeenCalledWith({ from: '2026-11-18', to: '2026-11-24', group_by: group });
    }
    expect(refundReport).toHaveBeenCalledWith({ from: '2026-11-18', to: '2026-11-24' });
    expect(anomalies).toHaveBeenCalledWith({ from: '2026-11-18', to: '2026-11-24' });
    expect(screen.getByText('From 2026-11-18 to 2026-11-24, both included (UTC days).')).toBeInTheDocument();

    const reasons = await screen.findByRole('table', { name: 'Credits per reason: figures' });
    expect(within(reasons).getByRole('link', { name: 'Wrong format or length' })).toBeInTheDocument();
    expect(within(reasons).getByText('822')).toBeInTheDocument();

    const tools = await screen.findByRole('table', { name: 'Credits per tool: figures' });
    expect(within(tools).getByText('1,975')).toBeInTheDocument();
    expect(within(tools).getByText('(all credits of the period)')).toBeInTheDocument();

    const refunds = await screen.findByRole('table', { name: 'Refund health per tool: figures' });
    expect(within(refunds).getByText('98.5%')).toBeInTheDocument();
    expect(within(refunds).getByRole('link', { name: '3 missing refunds of animation runs' })).toHaveAttribute(
      'href',
      `/missing-refunds?${new URLSearchParams({ filter: JSON.stringify({ tool: 'animation', started_at_gte: '2026-11-18', started_at_lte: '2026-11-24' }) })}`,
    );
  });

  it('draws a bar per agent, and a click on one opens that agent’s credits of the period', async () => {
    const { location } = openDashboard();
    await screen.findByRole('table', { name: 'Credits per agent: figures' });

    const agentBars = bars(card('Credits per agent'));
    expect(agentBars).toHaveLength(2);
    fireEvent.click(agentBars[0]);

    await waitFor(() => expect(location.current?.pathname).toBe('/credits'));
    expect(filterOf(location.current)).toEqual({ status: 'applied', created_at_gte: '2026-11-18', created_at_lte: '2026-11-24', requested_by: 'stf_ada' });
  });

  it('opens a day’s credits from the day chart', async () => {
    const { location } = openDashboard();
    await waitFor(() => expect(bars(card('Credits per day')).length).toBeGreaterThan(0));

    // Seven days, bars only where something was credited: 2026-11-19 comes first.
    fireEvent.click(bars(card('Credits per day'))[0]);

    await waitFor(() => expect(location.current?.pathname).toBe('/credits'));
    expect(filterOf(location.current)).toEqual({ status: 'applied', created_at_gte: '2026-11-19', created_at_lte: '2026-11-19' });
  });

  it('opens the missing-refund queue for a tool from its missing-refund bar', async () => {
    const { location } = openDashboard();
    await screen.findByRole('table', { name: 'Refund health per tool: figures' });

    // Series: failed, auto-refunded, refund missing; tools in the report's order.
    fireEvent.click(bars(card('Refund health per tool'), 2)[1]);

    await waitFor(() => expect(location.current?.pathname).toBe('/missing-refunds'));
    expect(filterOf(location.current)).toEqual({ tool: 'animation', started_at_gte: '2026-11-18', started_at_lte: '2026-11-24' });
  });

  it('lists the flagged credits with each flag in words, linked to the credit', async () => {
    openDashboard();

    const list = await screen.findByRole('list', { name: 'Flagged credits' });
    expect(within(list).getByRole('link', { name: 'Credit crd_near' })).toHaveAttribute('href', '/credits/crd_near/show');
    expect(within(list).getByText('495 tokens is just under the approval threshold of 500.')).toBeInTheDocument();
    expect(within(list).getByText(/28\.8× their daily average of 35/)).toBeInTheDocument();
    expect(within(list).getByText('Erik Lindqvist already had 2 credits in the 30 days before this one.')).toBeInTheDocument();
    expect(screen.getByText('2 flagged credits')).toBeInTheDocument();
    expect(screen.getByText('Just under the approval threshold: 1')).toBeInTheDocument();
  });

  it('asks again for another preset, and for a custom period once it makes sense', async () => {
    const user = userEvent.setup({ delay: null });
    const { creditReport, location } = openDashboard();
    await screen.findByRole('table', { name: 'Credits per agent: figures' });

    await user.click(screen.getByRole('button', { name: 'Last 30 days' }));
    await waitFor(() => expect(creditReport).toHaveBeenCalledWith({ from: '2026-10-26', to: '2026-11-24', group_by: 'agent' }));
    expect(location.current?.search).toBe('?days=30');

    await user.click(screen.getByRole('button', { name: 'Custom' }));
    const from = screen.getByLabelText('From (UTC day)');
    const to = screen.getByLabelText('To (UTC day)');
    fireEvent.change(from, { target: { value: '2026-10-10' } });
    fireEvent.change(to, { target: { value: '2026-10-01' } });
    await user.click(screen.getByRole('button', { name: 'Show' }));
    expect(await screen.findByText('The first day comes after the last.')).toBeInTheDocument();
    expect(creditReport).not.toHaveBeenCalledWith(expect.objectContaining({ from: '2026-10-10' }));

    fireEvent.change(to, { target: { value: '2026-10-20' } });
    await user.click(screen.getByRole('button', { name: 'Show' }));
    await waitFor(() => expect(creditReport).toHaveBeenCalledWith({ from: '2026-10-10', to: '2026-10-20', group_by: 'reason' }));
    expect(location.current?.search).toBe('?from=2026-10-10&to=2026-10-20');
  });

  it('says which report failed, with a retry, and which are empty', async () => {
    const user = userEvent.setup({ delay: null });
    let attempts = 0;
    const api = reportsApi({
      creditReport: (async ({ from, to, group_by }: Period & { group_by: CreditReport['group_by'] }) => {
        if (group_by === 'reason' && ++attempts === 1) throw new HttpError('Too many requests, slow down.', 429, { code: 'rate_limited', message: 'Too many requests, slow down.' });
        return { from, to, group_by, rows: creditRows[group_by] };
      }) as never,
      refundReport: (async ({ from, to }: Period) => ({ from, to, rows: [] })) as never,
      anomalies: (async ({ from, to }: Period) => ({ from, to, rows: [] })) as never,
    });
    openDashboard('/dashboard', 'admin', api);

    expect(await screen.findByText('Could not load credits per reason: Too many requests, slow down.')).toBeInTheDocument();
    expect(await screen.findByText('No run failed in this period.')).toBeInTheDocument();
    expect(screen.getByText('No credit in this period was flagged.')).toBeInTheDocument();
    vi.mocked(console.error).mockClear();

    await user.click(within(card('Credits per reason')).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByRole('table', { name: 'Credits per reason: figures' })).toBeInTheDocument();
    // No period in the address: the last 30 days.
    expect(api.creditReport).toHaveBeenCalledWith({ from: '2026-10-26', to: '2026-11-24', group_by: 'day' });
  });

  it('is for leads and admins only: an agent sees why, and no report is asked for', async () => {
    const { creditReport, refundReport, anomalies, studioDeliveryReport } = openDashboard('/dashboard', 'agent');

    expect(await screen.findByText('The dashboard is for leads and admins.')).toBeInTheDocument();
    expect(creditReport).not.toHaveBeenCalled();
    expect(refundReport).not.toHaveBeenCalled();
    expect(anomalies).not.toHaveBeenCalled();
    expect(studioDeliveryReport).not.toHaveBeenCalled();
  });
});

describe('the studio delivery card', () => {
  const troubled = buildDeliveryReport({
    counts: { pending: 4, failing: 3, given_up: 2, delivered: 120 },
    oldest_undelivered_at: '2026-11-24T07:57:00.000Z',
    oldest_failing_since: '2026-11-24T09:12:50.000Z',
    last_error: 'HTTP 503 from the studio',
  });
  const deliveryApi = (report = buildDeliveryReport(), retried = 2) => reportsApi({ studioDeliveryReport: async () => report, retryGivenUpDeliveries: async () => ({ retried }) });

  it('shows the counts by state, the channels and the last delivery, calmly, when nothing needs attention', async () => {
    const { studioDeliveryReport } = openDashboard('/dashboard?days=7', 'lead', deliveryApi());

    const region = await screen.findByRole('region', { name: 'Studio delivery' });
    const counts = await within(region).findByRole('table', { name: 'Credit events by delivery state' });
    expect(within(counts).getByRole('link', { name: 'Delivered: 12 events, open their credits' })).toHaveAttribute(
      'href',
      `/credits?${new URLSearchParams({ filter: JSON.stringify({ delivery_state: 'delivered' }) })}`,
    );
    expect(within(region).getByText('Push: on, Feed: off')).toBeInTheDocument();
    expect(within(region).getByText('Oldest undelivered').nextSibling).toHaveTextContent('Nothing waiting');
    expect(within(region).getByText('Last error').nextSibling).toHaveTextContent('None');
    expect(within(region).queryByText(/Deliveries need attention/)).not.toBeInTheDocument();
    expect(within(region).queryByRole('button', { name: /Retry all given-up/ })).not.toBeInTheDocument();
    expect(studioDeliveryReport).toHaveBeenCalledTimes(1);
  });

  it('turns into a warning when deliveries were given up or fail for over 15 minutes, with the oldest undelivered and the last error', async () => {
    openDashboard('/dashboard?days=7', 'lead', deliveryApi(troubled));

    const region = await screen.findByRole('region', { name: 'Studio delivery' });
    const warning = await within(region).findByRole('alert');
    expect(warning).toHaveClass('MuiAlert-standardWarning');
    expect(warning).toHaveTextContent('Deliveries need attention: 2 given up; 3 failing, the oldest for 47 min 10 s');
    expect(within(region).getByText('Oldest undelivered').nextSibling).toHaveTextContent(/^2 h 03 min ago, since /);
    expect(within(region).getByText('Last error').nextSibling).toHaveTextContent('HTTP 503 from the studio');
    expect(within(region).getByRole('link', { name: 'Given up: 2 events, open their credits' })).toBeInTheDocument();
    // Retrying every given-up delivery at once is the admins'.
    expect(within(region).queryByRole('button', { name: /Retry all given-up/ })).not.toBeInTheDocument();
  });

  it('lets an admin retry every given-up delivery, then asks for the report again', async () => {
    const user = userEvent.setup({ delay: null });
    const api = deliveryApi(troubled);
    openDashboard('/dashboard?days=7', 'admin', api);

    const region = await screen.findByRole('region', { name: 'Studio delivery' });
    await user.click(await within(region).findByRole('button', { name: 'Retry all given-up (2)' }));

    expect(api.retryGivenUpDeliveries).toHaveBeenCalledTimes(1);
    expect(await screen.findByText('2 given-up deliveries are being sent again.')).toBeInTheDocument();
    await waitFor(() => expect(api.studioDeliveryReport).toHaveBeenCalledTimes(2));
  });

  it('says when nothing can reach the studio', async () => {
    openDashboard('/dashboard?days=7', 'lead', deliveryApi(buildDeliveryReport({ push_enabled: false, feed_enabled: false })));

    const region = await screen.findByRole('region', { name: 'Studio delivery' });
    expect(await within(region).findByText('Push: off, Feed: off')).toBeInTheDocument();
    expect(within(region).getByText(/^Nothing can reach the studio/)).toBeInTheDocument();
  });

  it('shows its loading, then its error with a retry', async () => {
    const user = userEvent.setup({ delay: null });
    let refuse: (error: Error) => void = () => undefined;
    const firstAnswer = new Promise<never>((_resolve, reject) => {
      refuse = reject;
    });
    let attempts = 0;
    const api = reportsApi({ studioDeliveryReport: async () => (++attempts === 1 ? firstAnswer : buildDeliveryReport()) });
    openDashboard('/dashboard?days=7', 'lead', api);

    expect(await screen.findByLabelText('Loading studio delivery')).toBeInTheDocument();
    refuse(new HttpError('Service unavailable', 503, { code: 'unavailable', message: 'Service unavailable' }));
    expect(await screen.findByText('Could not load studio delivery: Service unavailable')).toBeInTheDocument();
    vi.mocked(console.error).mockClear();

    await user.click(within(card('Studio delivery')).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Push: on, Feed: off')).toBeInTheDocument();
  });
});

describe('the Export CSV button', () => {
  const renderList = (role: Role, path: string) => {
    const getList = vi.fn(async (_resource: string, _params: GetListParams) => ({ data: [{ id: 'crd_1' }], total: 1 }));
    const view = renderAs({
      role,
      path,
      route: '/credits',
      resource: 'credits',
      dataProvider: providerWith({ getList } as never),
      element: (
        <List
          actions={
            <TopToolbar>
              <ExportCsvButton resource="credits" />
            </TopToolbar>
          }
          sort={{ field: 'created_at', order: 'DESC' }}
        >
          <span>the list</span>
        </List>
      ),
    });
    return { ...view, getList };
  };

  it('links to the export of exactly the list’s filter and sort', async () => {
    const filter = { status: 'applied', requested_by: 'stf_ada' };
    const { getList } = renderList('lead', `/credits?${new URLSearchParams({ filter: JSON.stringify(filter), sort: 'amount', order: 'ASC' })}`);

    const link = await screen.findByRole('link', { name: 'Export CSV' });
    await waitFor(() => expect(getList).toHaveBeenCalled());
    const listed = getList.mock.calls[0][1];
    const href = new URL(link.getAttribute('href') ?? '', 'http://desk.test');
    expect(href.pathname).toBe('/api/credits/export.csv');
    expect(JSON.parse(href.searchParams.get('filter') ?? '')).toEqual(listed.filter);
    expect(JSON.parse(href.searchParams.get('sort') ?? '')).toEqual([listed.sort?.field, listed.sort?.order]);
    expect(JSON.parse(href.searchParams.get('sort') ?? '')).toEqual(['amount', 'ASC']);
    expect(href.searchParams.has('range')).toBe(false);
    expect(link).toHaveAttribute('download');
  });

  it('is not offered to agents (exports are for leads and admins)', async () => {
    const { getList } = renderList('agent', '/credits');
    await waitFor(() => expect(getList).toHaveBeenCalled());
    expect(await screen.findByText('the list')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Export CSV' })).not.toBeInTheDocument();
  });
});
