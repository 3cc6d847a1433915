import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { Menu, type GetListParams, type GetManyParams } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { MissingRefundQueue } from '../../client/missingRefunds/MissingRefundQueue.tsx';
import { MissingRefundsMenuItem } from '../../client/missingRefunds/MissingRefundsMenuItem.tsx';
import type { GenerationRecord } from '../../shared/records.ts';
import type { Role } from '../../shared/roles.ts';
import { providerWith, renderAs } from './dashboardHarness.tsx';
import { buildCustomer, buildRun } from './recordBuilders.ts';

const missing = [
  buildRun({
    id: 'gen_old',
    customer_id: 'cus_7',
    chat_id: 'cht_42',
    tool: 'animation',
    status: 'failed',
    refund_state: 'refund_missing',
    error_code: 'gpu_timeout',
    error_message: 'The renderer timed out after 600 s',
    tokens_charged: 1200,
    started_at: '2026-11-02T08:00:00.000Z',
    finished_at: '2026-11-02T08:10:00.000Z',
  }),
  buildRun({
    id: 'gen_new',
    customer_id: 'cus_8',
    chat_id: 'cht_77',
    tool: 'image',
    status: 'failed',
    refund_state: 'refund_missing',
    error_code: 'nsfw_filter_crash',
    error_message: null,
    tokens_charged: 40,
    started_at: '2026-11-20T08:00:00.000Z',
    finished_at: '2026-11-20T08:00:30.000Z',
  }),
];

const queueApi = (runs: GenerationRecord[] = missing, total = runs.length) => {
  const getList = vi.fn(async (_resource: string, _params: GetListParams) => ({ data: runs, total }));
  const getMany = vi.fn(async (_resource: string, { ids }: GetManyParams) => ({
    data: [buildCustomer({ id: 'cus_7', name: 'Grace Hopper' }), buildCustomer({ id: 'cus_8', name: 'Alan Turing' })].filter(c => ids.includes(c.id)),
  }));
  return { getList, getMany, dataProvider: providerWith({ getList, getMany } as never) };
};

const openQueue = (path = '/missing-refunds', role: Role = 'agent', api = queueApi()) => ({
  ...api,
  ...renderAs({ role, element: <MissingRefundQueue />, path, route: '/missing-refunds', dataProvider: api.dataProvider }),
});

describe('the missing-refund queue', () => {
  it('asks for every refund_missing run, oldest first, and shows what a fix needs', async () => {
    const { getList } = openQueue();

    const row = (await screen.findByRole('link', { name: 'gen_old' })).closest('tr') as HTMLElement;
    expect(getList).toHaveBeenCalledWith(
      'generations',
      expect.objectContaining({ filter: { refund_state: 'refund_missing' }, sort: { field: 'started_at', order: 'ASC' } }),
    );
    expect(within(row).getByText('animation')).toBeInTheDocument();
    expect(within(row).getByText('1,200')).toBeInTheDocument();
    expect(within(row).getByText('gpu_timeout')).toBeInTheDocument();
    expect(within(row).getByText('The renderer timed out after 600 s')).toBeInTheDocument();
    expect(within(row).getByRole('link', { name: 'cht_42' })).toHaveAttribute('href', '/chats/cht_42/show');
    expect(await within(row).findByRole('link', { name: 'Grace Hopper' })).toHaveAttribute('href', '/customers/cus_7/show');
    expect(within(row).getByRole('link', { name: 'Credit the missed refund of run gen_old' })).toHaveAttribute('href', '/credits/create?runs=gen_old');
    expect(within(row).getAllByRole('time').map(time => time.getAttribute('dateTime'))).toEqual(['2026-11-02T08:10:00.000Z', '2026-11-02T08:00:00.000Z']);

    const rows = screen.getAllByRole('row').slice(1);
    expect(rows.map(tableRow => within(tableRow).queryByRole('link', { name: /^gen_/ })?.textContent)).toEqual(['gen_old', 'gen_new']);
  });

  it('takes a tool from the address, as the dashboard’s bars link it, keeping the missing-refund filter', async () => {
    const filter = { tool: 'animation', started_at_gte: '2026-11-18', started_at_lte: '2026-11-24' };
    const { getList } = openQueue(`/missing-refunds?${new URLSearchParams({ filter: JSON.stringify(filter) })}`, 'lead', queueApi([missing[0]]));

    await screen.findByRole('link', { name: 'gen_old' });
    expect(getList).toHaveBeenCalledWith('generations', expect.objectContaining({ filter: { ...filter, refund_state: 'refund_missing' } }));
    expect(screen.getByLabelText('Tool')).toHaveValue('animation');
  });

  it('opens the credit form for a run in one click', async () => {
    const user = userEvent.setup({ delay: null });
    const { location } = openQueue();

    await user.click(await screen.findByRole('link', { name: 'Credit the missed refund of run gen_new' }));

    await waitFor(() => expect(location.current?.pathname).toBe('/credits/create'));
    expect(location.current?.search).toBe('?runs=gen_new');
  });

  it('says so when nothing is missing', async () => {
    openQueue('/missing-refunds', 'agent', queueApi([]));
    expect(await screen.findByText('No missing refund.')).toBeInTheDocument();
  });
});

describe('the menu entry', () => {
  const renderMenuEntry = (api: ReturnType<typeof queueApi>) =>
    renderAs({
      role: 'agent',
      path: '/',
      dataProvider: api.dataProvider,
      element: (
        <Menu>
          <MissingRefundsMenuItem />
        </Menu>
      ),
    });

  it('shows how many runs wait, from the list’s total only', async () => {
    const api = queueApi(missing.slice(0, 1), 4);
    renderMenuEntry(api);

    expect(await screen.findByLabelText('4 waiting')).toHaveTextContent('4');
    expect(screen.getByRole('menuitem', { name: /Missing refunds/ })).toHaveAttribute('href', '/missing-refunds');
    expect(api.getList).toHaveBeenCalledWith(
      'generations',
      expect.objectContaining({ filter: { refund_state: 'refund_missing' }, pagination: { page: 1, perPage: 1 } }),
    );
  });

  it('shows no count when nothing waits', async () => {
    const api = queueApi([], 0);
    renderMenuEntry(api);
    await waitFor(() => expect(api.getList).toHaveBeenCalled());
    expect(screen.getByRole('menuitem', { name: 'Missing refunds' })).toBeInTheDocument();
    expect(screen.queryByLabelText(/waiting/)).not.toBeInTheDocument();
  });
});
