import { fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { AdminContext, defaultI18nProvider, localStorageStore, ResourceContextProvider, TestMemoryRouter } from 'react-admin';
import { Route, Routes } from 'react-router-dom';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { CustomerList } from '../../client/customers/CustomerList.tsx';
import { CustomerShow } from '../../client/customers/CustomerShow.tsx';
import { formatDateTime, viewerTimeZone } from '../../client/display/format.ts';
import { emptyUsageFilter, usageHistoryFilter } from '../../client/transactions/transactionModel.ts';
import { fakeApi, renderPage } from './adminHarness.tsx';
import { buildChat, buildCustomer, buildEntry, buildRun } from './recordBuilders.ts';

const tables = {
  customers: [buildCustomer({ balance: -1250, time_zone: null })],
  chats: [buildChat(), buildChat({ id: 'cht_43', title: null, generation_count: 0, last_run_at: null })],
  generations: [buildRun({ asset_count: 0 }), buildRun({ id: 'gen_9', chat_id: 'cht_43', refund_state: 'credited', tokens_returned: 600 })],
  transactions: [
    buildEntry({ id: 'tx_purchase_1', kind: 'purchase', amount: 50_000, balance_after: 50_000, generation_id: null, chat_id: null, tool: null }),
    buildEntry(),
    buildEntry({ id: 'tx_void_1', kind: 'credit_void', amount: -600, balance_after: -1250, generation_id: 'gen_9', credit_id: 'crd_1', reverses_id: 'tx_credit_1' }),
  ],
};

const openCustomer = (tab = '') => {
  const api = fakeApi(tables);
  const view = renderPage({
    element: <CustomerShow />,
    path: `/customers/cus_7/show${tab}`,
    route: '/customers/:id/show/*',
    resource: 'customers',
    dataProvider: api.dataProvider,
  });
  return { ...api, ...view };
};

describe('customer 360', () => {
  it('shows the balance and plan, and opens on the usage history', async () => {
    const { getList } = openCustomer();

    expect(await screen.findByRole('heading', { name: 'Grace Hopper' })).toBeInTheDocument();
    expect(screen.getByText('Plan: pro')).toBeInTheDocument();
    expect(screen.getByText('Negative balance: the customer owes 1,250 tokens.')).toBeInTheDocument();
    expect(screen.getByText('Customer’s local time unknown (no time zone on record)')).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'Usage history', selected: true })).toBeInTheDocument();
    expect(await screen.findByText('tx_void_1')).toBeInTheDocument();
    expect(screen.getByText('Purchase')).toBeInTheDocument();
    expect(screen.getByText('Credit void')).toBeInTheDocument();
    expect(screen.getByText('+50,000')).toBeInTheDocument();
    expect(getList).toHaveBeenCalledWith(
      'transactions',
      expect.objectContaining({ filter: { customer_id: 'cus_7' }, sort: { field: 'created_at', order: 'DESC' } }),
    );
  });

  it('filters the usage history by date range, kind, tool and chat', async () => {
    const user = userEvent.setup({ delay: null });
    const { getList } = openCustomer();
    await screen.findByText('tx_void_1');

    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-01' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-11-30' } });
    await user.click(screen.getByRole('combobox', { name: 'Kind' }));
    await user.click(await screen.findByRole('option', { name: 'Charge' }));
    await user.type(screen.getByRole('textbox', { name: 'Tool' }), 'image');
    await user.type(screen.getByRole('textbox', { name: 'Chat ID' }), ' cht_42 ');
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));

    const expected = usageHistoryFilter(
      { ...emptyUsageFilter, fromDay: '2026-11-01', toDay: '2026-11-30', kind: 'charge', tool: 'image', chatId: 'cht_42' },
      viewerTimeZone(),
    );
    await waitFor(() =>
      expect(getList).toHaveBeenCalledWith('transactions', expect.objectContaining({ filter: { customer_id: 'cus_7', ...expected } })),
    );
    expect(expected).toMatchObject({ kind: 'charge', tool: 'image', chat_id: 'cht_42' });
    await waitFor(() => expect(screen.queryByText('tx_void_1')).not.toBeInTheDocument());
    expect(screen.getByText('tx_charge_1')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Clear' }));
    expect(await screen.findByText('tx_void_1')).toBeInTheDocument();
  });

  it("lists the customer's runs with their refund states", async () => {
    const { getList } = openCustomer('/runs');

    expect(await screen.findByText('Credited')).toBeInTheDocument();
    expect(screen.getByText('No refund')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'gen_9' })).toHaveAttribute('href', '/generations/gen_9/show');
    expect(getList).toHaveBeenCalledWith(
      'generations',
      expect.objectContaining({ filter: { customer_id: 'cus_7' }, sort: { field: 'started_at', order: 'DESC' } }),
    );
  });

  it("lists the customer's chats, each opening its review", async () => {
    const user = userEvent.setup();
    const { getList, location } = openCustomer('/chats');

    expect(await screen.findByRole('link', { name: 'Untitled chat cht_43' })).toHaveAttribute('href', '/chats/cht_43/show');
    await user.click(screen.getByRole('link', { name: 'Spring campaign visuals' }));

    expect(location.current?.pathname).toBe('/chats/cht_42/show');
    expect(getList).toHaveBeenCalledWith('chats', expect.objectContaining({ filter: { customer_id: 'cus_7' } }));
  });
});

describe("times on the customer's clock", () => {
  it('shows run and ledger times on the chosen clock, reads the usage dates on it, and keeps the choice', async () => {
    const user = userEvent.setup();
    const api = fakeApi({ ...tables, customers: [buildCustomer({ time_zone: 'Asia/Tokyo' })] });
    // The console's own kind of store: the choice must outlive the page, as it does in localStorage.
    const store = localStorageStore(undefined, 'CustomerShowTest');
    const open = (path: string) =>
      render(
        <TestMemoryRouter initialEntries={[path]}>
          <AdminContext dataProvider={api.dataProvider} store={store} i18nProvider={defaultI18nProvider}>
            <ResourceContextProvider value="customers">
              <Routes>
                <Route path="/customers/:id/show/*" element={<CustomerShow />} />
              </Routes>
            </ResourceContextProvider>
          </AdminContext>
        </TestMemoryRouter>,
      );
    const view = open('/customers/cus_7/show');
    const chargedAt = '2026-11-20T01:10:00.000Z';
    expect(await screen.findAllByText(formatDateTime(chargedAt, viewerTimeZone()))).not.toHaveLength(0);

    await user.click(screen.getByRole('button', { name: 'the customer’s (Asia/Tokyo)' }));

    expect(await screen.findAllByText(formatDateTime(chargedAt, 'Asia/Tokyo'))).not.toHaveLength(0);
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-20' } });
    await user.click(screen.getByRole('button', { name: 'Apply filters' }));
    await waitFor(() =>
      expect(api.getList).toHaveBeenCalledWith(
        'transactions',
        expect.objectContaining({ filter: { customer_id: 'cus_7', created_at_gte: '2026-11-19T15:00:00.000Z' } }),
      ),
    );

    // The choice sticks: the runs tab of another visit shows Tokyo times straight away.
    view.unmount();
    open('/customers/cus_7/show/runs');
    expect(await screen.findByRole('link', { name: 'gen_9' })).toBeInTheDocument();
    expect(screen.getAllByText(formatDateTime(chargedAt, 'Asia/Tokyo'))).toHaveLength(2);
    expect(screen.getByRole('button', { name: 'the customer’s (Asia/Tokyo)' })).toHaveAttribute('aria-pressed', 'true');
    expect(Object.keys(localStorage).some(key => key.includes('display.timesOn'))).toBe(true);
    localStorage.clear();
  });
});

describe('customer list', () => {
  it('searches customers with q', async () => {
    const user = userEvent.setup({ delay: null });
    const api = fakeApi({
      customers: [buildCustomer(), buildCustomer({ id: 'cus_8', name: 'Alan Turing', email: 'alan@example.com', balance: 2_500_000 })],
    });
    renderPage({ element: <CustomerList />, path: '/customers', route: '/customers/*', resource: 'customers', dataProvider: api.dataProvider });

    expect(await screen.findByRole('link', { name: 'Alan Turing' })).toHaveAttribute('href', '/customers/cus_8/show');
    expect(screen.getByText('2,500,000')).toBeInTheDocument();

    await user.type(screen.getByRole('textbox', { name: /search/i }), 'grace');

    await waitFor(() => expect(screen.queryByRole('link', { name: 'Alan Turing' })).not.toBeInTheDocument());
    expect(screen.getByRole('link', { name: 'Grace Hopper' })).toBeInTheDocument();
    expect(api.getList).toHaveBeenLastCalledWith('customers', expect.objectContaining({ filter: { q: 'grace' } }));
    expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(2);
  });
});
