import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpError, type AuthProvider } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { ChatShow } from '../../client/chats/ChatShow.tsx';
import { nearTimeRange } from '../../client/chats/chatModel.ts';
import { formatDateTime, viewerTimeZone } from '../../client/display/format.ts';
import { fakeApi, renderPage } from './adminHarness.tsx';
import { buildAsset, buildChat, buildCustomer, buildEntry, buildRun } from './recordBuilders.ts';

const runs = [
  buildRun({ id: 'gen_1', started_at: '2026-11-20T01:10:00.000Z', refund_state: 'none', asset_count: 1 }),
  buildRun({
    id: 'gen_2',
    tool: 'video',
    model: 'motion-2',
    started_at: '2026-11-20T01:15:00.000Z',
    status: 'failed',
    error_code: 'gpu_timeout',
    refund_state: 'auto_refunded',
    tokens_charged: 3500,
    tokens_returned: 3500,
    tokens_auto_refunded: 3500,
    asset_count: 0,
    auto_refund_id: 'tx_refund_2',
    auto_refunded_at: '2026-11-20T01:16:00.000Z',
    prompt: 'A slow pan over a\nmountain lake at sunset, with mist rising from the water and a lone canoe drifting near the far shore',
  }),
  buildRun({
    id: 'gen_3',
    tool: 'video',
    started_at: '2026-11-20T01:20:00.000Z',
    status: 'failed',
    error_code: 'encoder_crash',
    refund_state: 'refund_missing',
    tokens_charged: 35000,
    asset_count: 1,
  }),
];
const assets = [
  buildAsset({ id: 'ast_1', generation_id: 'gen_1' }),
  buildAsset({
    id: 'ast_3',
    generation_id: 'gen_3',
    kind: 'video',
    mime: 'video/mp4',
    url: '/media/video-01.mp4',
    thumbnail_url: '/media/video-01-poster.jpg',
  }),
];
const entries = [
  buildEntry({ id: 'tx_charge_1', generation_id: 'gen_1', amount: -1200, balance_after: 48_800, created_at: '2026-11-20T01:10:00.000Z' }),
  buildEntry({ id: 'tx_charge_2', generation_id: 'gen_2', amount: -3500, balance_after: 45_300, created_at: '2026-11-20T01:15:00.000Z' }),
  buildEntry({
    id: 'tx_refund_2',
    kind: 'auto_refund',
    generation_id: 'gen_2',
    amount: 3500,
    balance_after: 48_800,
    reverses_id: 'tx_charge_2',
    created_at: '2026-11-20T01:16:00.000Z',
  }),
];

const openChatReview = (customer = buildCustomer(), { path = '/chats/cht_42/show', authProvider }: { path?: string; authProvider?: AuthProvider } = {}) => {
  const api = fakeApi({ customers: [customer], chats: [buildChat()], generations: runs, transactions: entries, assets });
  const view = renderPage({ element: <ChatShow />, path, route: '/chats/:id/show/*', resource: 'chats', dataProvider: api.dataProvider, authProvider });
  return { ...api, ...view };
};

/** The date-time picker of "near a time", once it has loaded (a disabled stand-in shows until then). */
const reportedTimeField = () => screen.findByLabelText('Reported time', { selector: 'input:not([disabled])' });

describe('chat review', () => {
  it('shows the customer header: name, e-mail, plan, balance and their local time', async () => {
    const { getOne } = openChatReview();

    expect(await screen.findByRole('link', { name: 'Grace Hopper' })).toHaveAttribute('href', '/customers/cus_7/show');
    expect(screen.getByText('grace@example.com')).toBeInTheDocument();
    expect(screen.getByText('Plan: pro')).toBeInTheDocument();
    expect(screen.getByText('12,345 tokens')).toBeInTheDocument();
    expect(screen.getByText(/^Customer’s local time: .+ \(Asia\/Tokyo\)$/)).toBeInTheDocument();
    expect(screen.getByRole('heading', { name: 'Spring campaign visuals' })).toBeInTheDocument();
    expect(getOne).toHaveBeenCalledWith('chats', expect.objectContaining({ id: 'cht_42' }));
    expect(getOne).toHaveBeenCalledWith('customers', expect.objectContaining({ id: 'cus_7' }));
  });

  it('shows a negative balance in words, not only in red', async () => {
    openChatReview(buildCustomer({ balance: -1250 }));

    expect(await screen.findByText('-1,250 tokens')).toBeInTheDocument();
    expect(screen.getByText('Negative balance: the customer owes 1,250 tokens.')).toBeInTheDocument();
  });

  it("lists the chat's runs in time order with tool, status, tokens and the refund state in words", async () => {
    const { getList } = openChatReview();

    const runsSection = await screen.findByRole('region', { name: 'Runs' });
    await within(runsSection).findByText('gen_1');
    const rows = within(runsSection).getAllByRole('row').slice(1);
    expect(rows.map(row => within(row).getAllByRole('link')[0].textContent)).toEqual(['gen_1', 'gen_2', 'gen_3']);
    expect(within(rows[0]).getByText('No refund')).toBeInTheDocument();
    expect(within(rows[0]).getByText('1,200')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Auto-refunded')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Failed')).toBeInTheDocument();
    expect(within(rows[1]).getByText(/gpu_timeout/)).toBeInTheDocument();
    expect(within(rows[1]).getByText(/motion-2/)).toBeInTheDocument();
    expect(within(rows[1]).getByText('3,500')).toBeInTheDocument();
    expect(within(rows[2]).getByText('Refund missing')).toBeInTheDocument();
    expect(within(rows[2]).getByText('35,000')).toBeInTheDocument();
    expect(getList).toHaveBeenCalledWith(
      'generations',
      expect.objectContaining({ filter: { chat_id: 'cht_42' }, sort: { field: 'started_at', order: 'ASC' } }),
    );
  });

  it('loads the runs and the ledger beside the chat, not after it', async () => {
    const api = fakeApi({ customers: [buildCustomer()], chats: [buildChat()], generations: runs, transactions: entries, assets });
    let answerChat = (_answer: { data: ReturnType<typeof buildChat> }) => {};
    const chatAnswer = new Promise<{ data: ReturnType<typeof buildChat> }>(resolve => (answerChat = resolve));
    api.getOne.mockImplementation(async (resource, params) => (resource === 'chats' ? chatAnswer : { data: buildCustomer({ id: String(params.id) }) }));
    renderPage({ element: <ChatShow />, path: '/chats/cht_42/show', route: '/chats/:id/show/*', resource: 'chats', dataProvider: api.dataProvider });

    expect(await screen.findByText('gpu_timeout', { exact: false })).toBeInTheDocument();
    expect(await screen.findByText('tx_refund_2', { exact: false })).toBeInTheDocument();
    expect(screen.getByLabelText('Loading the chat')).toBeInTheDocument();
    expect(api.getList).toHaveBeenCalledWith('generations', expect.objectContaining({ filter: { chat_id: 'cht_42' } }));
    expect(api.getList).toHaveBeenCalledWith('transactions', expect.objectContaining({ filter: { chat_id: 'cht_42' } }));

    answerChat({ data: buildChat() });
    expect(await screen.findByRole('link', { name: 'Grace Hopper' })).toBeInTheDocument();
  });

  it('shows image thumbnails and video posters, lazily loaded, fetched in one request', async () => {
    const { getList } = openChatReview();

    const image = await screen.findByRole('img', { name: 'Image 1 of run gen_1' });
    expect(image).toHaveAttribute('src', '/media/image-01.png');
    expect(image).toHaveAttribute('loading', 'lazy');
    const poster = screen.getByRole('img', { name: 'Video 1 of run gen_3' });
    expect(poster).toHaveAttribute('src', '/media/video-01-poster.jpg');
    expect(poster).toHaveAttribute('loading', 'lazy');
    expect(getList.mock.calls.filter(([resource]) => resource === 'assets')).toEqual([
      ['assets', expect.objectContaining({ filter: { generation_id: ['gen_1', 'gen_3'] } })],
    ]);
  });

  it("lists the chat's ledger entries", async () => {
    const { getList } = openChatReview();

    const ledger = await screen.findByRole('region', { name: 'Ledger entries of this chat' });
    expect(await within(ledger).findByText('tx_refund_2')).toBeInTheDocument();
    expect(within(ledger).getAllByText('Charge')).toHaveLength(2);
    expect(within(ledger).getByText('Auto-refund')).toBeInTheDocument();
    expect(within(ledger).getByText('+3,500')).toBeInTheDocument();
    expect(within(ledger).getByText('-3,500')).toBeInTheDocument();
    expect(within(ledger).getByText('reverses tx_charge_2')).toBeInTheDocument();
    expect(getList).toHaveBeenCalledWith(
      'transactions',
      expect.objectContaining({ filter: { chat_id: 'cht_42' }, sort: { field: 'created_at', order: 'ASC' } }),
    );
  });

  it("narrows runs and entries to a reported time on the customer's clock, then on the agent's", async () => {
    const user = userEvent.setup();
    const { getList } = openChatReview();
    const runsSection = await screen.findByRole('region', { name: 'Runs' });
    await within(runsSection).findByText('gen_3');

    // 10:04 in Tokyo is 01:04 UTC; ± 15 minutes keeps gen_1 (01:10) and gen_2 (01:15), not gen_3 (01:20).
    fireEvent.change(await reportedTimeField(), { target: { value: '2026-11-20 10:04' } });
    await user.click(screen.getByRole('combobox', { name: 'Window' }));
    await user.click(await screen.findByRole('option', { name: '± 15 minutes' }));

    await waitFor(() => expect(within(runsSection).queryByText('gen_3')).not.toBeInTheDocument());
    expect(within(runsSection).getByText('gen_1')).toBeInTheDocument();
    expect(within(runsSection).getByText('gen_2')).toBeInTheDocument();
    const customerRange = { from: '2026-11-20T00:49:00.000Z', to: '2026-11-20T01:19:00.000Z' };
    expect(getList).toHaveBeenCalledWith(
      'generations',
      expect.objectContaining({ filter: { chat_id: 'cht_42', started_at_gte: customerRange.from, started_at_lte: customerRange.to } }),
    );
    expect(getList).toHaveBeenCalledWith(
      'transactions',
      expect.objectContaining({ filter: { chat_id: 'cht_42', created_at_gte: customerRange.from, created_at_lte: customerRange.to } }),
    );
    expect(screen.getByRole('status')).toHaveTextContent(/^Showing runs started and ledger entries made from .+ to .+ \(your time\)\.$/);

    await user.click(screen.getByRole('button', { name: /^My time/ }));

    const agentRange = nearTimeRange('2026-11-20T10:04', '15m', viewerTimeZone())!;
    await waitFor(() =>
      expect(getList).toHaveBeenCalledWith(
        'generations',
        expect.objectContaining({ filter: { chat_id: 'cht_42', started_at_gte: agentRange.from, started_at_lte: agentRange.to } }),
      ),
    );
    expect(getList).toHaveBeenCalledWith(
      'transactions',
      expect.objectContaining({ filter: { chat_id: 'cht_42', created_at_gte: agentRange.from, created_at_lte: agentRange.to } }),
    );
  });

  it('lets runs be selected for a bulk action', async () => {
    const user = userEvent.setup();
    openChatReview();
    const runsSection = await screen.findByRole('region', { name: 'Runs' });
    await within(runsSection).findByText('gen_1');

    const [, firstRun] = within(runsSection).getAllByRole('checkbox');
    await user.click(firstRun);

    expect(firstRun).toBeChecked();
    expect(await within(runsSection).findByText('1 item selected')).toBeInTheDocument();
    expect(within(runsSection).queryByRole('button', { name: /delete/i })).not.toBeInTheDocument();
  });

  it('renders a name carrying markup as text', async () => {
    openChatReview(buildCustomer({ name: '<img src=x onerror="alert(1)">Mallory' }));

    expect(await screen.findByRole('link', { name: '<img src=x onerror="alert(1)">Mallory' })).toBeInTheDocument();
    expect(document.querySelector('img[src="x"]')).toBeNull();
  });

  it('says what to do when the chat has no runs or entries yet', async () => {
    const api = fakeApi({ customers: [buildCustomer()], chats: [buildChat({ generation_count: 0 })], generations: [], transactions: [] });
    renderPage({ element: <ChatShow />, path: '/chats/cht_42/show', route: '/chats/:id/show/*', resource: 'chats', dataProvider: api.dataProvider });

    expect(await screen.findByText('This chat has no runs yet.')).toBeInTheDocument();
    expect(screen.getByText('Check the chat ID in the ticket, or look the customer up instead.')).toBeInTheDocument();
    expect(await screen.findByText('No ledger entries for this chat.')).toBeInTheDocument();
  });

  it('says when a list could not load, instead of showing it empty, and retries on request', async () => {
    const user = userEvent.setup();
    const api = fakeApi({ customers: [buildCustomer()], chats: [buildChat()], generations: runs, assets });
    const listFromTables = api.getList.getMockImplementation()!;
    let ledgerAttempts = 0;
    api.getList.mockImplementation(async (resource, params) => {
      if (resource !== 'transactions') return listFromTables(resource, params);
      ledgerAttempts += 1;
      if (ledgerAttempts === 1) throw new HttpError('The database is busy, try again.', 503, {});
      return { data: entries, total: entries.length };
    });
    renderPage({ element: <ChatShow />, path: '/chats/cht_42/show', route: '/chats/:id/show/*', resource: 'chats', dataProvider: api.dataProvider });

    const ledger = await screen.findByRole('region', { name: 'Ledger entries of this chat' });
    expect(await within(ledger).findByRole('alert')).toHaveTextContent('Could not load the ledger entries: The database is busy, try again.');
    expect(within(ledger).queryByText('No ledger entries for this chat.')).not.toBeInTheDocument();
    // react-admin's data provider wrapper logs every failed call in development.
    expect(console.error).toHaveBeenCalledWith(expect.objectContaining({ status: 503 }));
    vi.mocked(console.error).mockClear();

    await user.click(within(ledger).getByRole('button', { name: 'Retry' }));

    expect(await within(ledger).findByText('tx_refund_2')).toBeInTheDocument();
    expect(ledgerAttempts).toBe(2);
  });
});

/** A signed-in agent whose console knows the helpdesk's ticket address. */
const withHelpdesk = (helpdesk_ticket_url: string | null): AuthProvider => ({
  login: async () => undefined,
  logout: async () => undefined,
  checkAuth: async () => undefined,
  checkError: async () => undefined,
  getPermissions: async () => 'agent',
  getIdentity: async () => ({ id: 'stf_ada', fullName: 'Ada Agent', role: 'agent', helpdesk_ticket_url }),
});

const ticketQuery = new URLSearchParams({
  ticket: 'ZD-48213',
  at: '2026-11-20T10:04',
  expected: 'A lighthouse at dawn, warm light',
  received: 'A lighthouse at night, all blue',
});

describe('chat review opened from a helpdesk link', () => {
  it("shows the ticket, narrows to its time on the customer's clock, and credits a run with its context", async () => {
    const user = userEvent.setup();
    const { getList, location } = openChatReview(buildCustomer(), {
      path: `/chats/cht_42/show?${ticketQuery}`,
      authProvider: withHelpdesk('https://support.example.com/tickets/{ticket}'),
    });

    const ticket = await screen.findByRole('region', { name: 'From the ticket' });
    expect(await within(ticket).findByRole('link', { name: /ZD-48213/ })).toHaveAttribute('href', 'https://support.example.com/tickets/ZD-48213');
    expect(within(ticket).getByText('2026-11-20 10:04, on the customer’s clock')).toBeInTheDocument();
    expect(within(ticket).getByText('A lighthouse at dawn, warm light')).toBeInTheDocument();
    expect(within(ticket).getByText('A lighthouse at night, all blue')).toBeInTheDocument();

    // 10:04 in Tokyo is 01:04 UTC, ± 1 hour: the lists are asked for that window only, never the whole chat first.
    const runsSection = await screen.findByRole('region', { name: 'Runs' });
    await within(runsSection).findByText('gen_1');
    const window = { from: '2026-11-20T00:04:00.000Z', to: '2026-11-20T02:04:00.000Z' };
    const runCalls = getList.mock.calls.filter(([resource]) => resource === 'generations');
    expect(runCalls.map(([, params]) => params.filter)).toEqual([{ chat_id: 'cht_42', started_at_gte: window.from, started_at_lte: window.to }]);
    expect(getList).toHaveBeenCalledWith('transactions', expect.objectContaining({ filter: { chat_id: 'cht_42', created_at_gte: window.from, created_at_lte: window.to } }));
    expect(await reportedTimeField()).toHaveValue('2026-11-20 10:04');
    expect(screen.getByRole('status')).toHaveTextContent(/^From the ticket: showing runs started/);

    await user.click(within(runsSection).getByRole('link', { name: 'Credit this run (gen_1)' }));

    expect(location.current?.pathname).toBe('/credits/create');
    expect(new URLSearchParams(location.current?.search)).toEqual(new URLSearchParams([['runs', 'gen_1'], ...ticketQuery]));
  });

  it('reads a reported time with an offset as that instant, whoever’s clock is chosen', async () => {
    const { getList } = openChatReview(buildCustomer(), { path: '/chats/cht_42/show?at=2026-11-20T01:04:00Z' });

    await waitFor(() =>
      expect(getList).toHaveBeenCalledWith(
        'generations',
        expect.objectContaining({ filter: { chat_id: 'cht_42', started_at_gte: '2026-11-20T00:04:00.000Z', started_at_lte: '2026-11-20T02:04:00.000Z' } }),
      ),
    );
    // Shown on the customer's clock (Tokyo, 9 hours ahead) once the customer's zone is known.
    const field = await reportedTimeField();
    await waitFor(() => expect(field).toHaveValue('2026-11-20 10:04'));
  });

  it('shows a ticket reference as plain text when the helpdesk address is not configured', async () => {
    openChatReview(buildCustomer(), { path: '/chats/cht_42/show?ticket=ZD-48213', authProvider: withHelpdesk(null) });

    const ticket = await screen.findByRole('region', { name: 'From the ticket' });
    expect(within(ticket).getByText('ZD-48213')).toBeInTheDocument();
    expect(within(ticket).queryByRole('link')).not.toBeInTheDocument();
  });
});

describe('runs an agent can recognise', () => {
  it('shows each prompt cut short, the whole of it on hover', async () => {
    const user = userEvent.setup();
    openChatReview();
    const runsSection = await screen.findByRole('region', { name: 'Runs' });
    const [, , row2] = await within(runsSection).findAllByRole('row');

    const prompt = within(row2).getByText(/^A slow pan over a/);
    await user.hover(prompt);

    expect(await screen.findByRole('tooltip')).toHaveTextContent(
      'A slow pan over a mountain lake at sunset, with mist rising from the water and a lone canoe drifting near the far shore',
    );
    expect(within(runsSection).getAllByText('A lighthouse at dawn')).toHaveLength(2);
  });

  it('says each refund answer in words, with its date on the chosen clock and its amount', async () => {
    const user = userEvent.setup();
    openChatReview();
    const runsSection = await screen.findByRole('region', { name: 'Runs' });
    await within(runsSection).findByText('gen_1');
    const [, row1, row2, row3] = within(runsSection).getAllByRole('row');
    expect(within(row1).getByText('Nothing returned; 1,200 tokens can be credited.')).toBeInTheDocument();
    expect(within(row3).getByText(/^Failed .+ ago and no auto-refund came: 35,000 tokens not returned\.$/)).toBeInTheDocument();

    await user.click(await screen.findByRole('button', { name: 'the customer’s (Asia/Tokyo)' }));

    // 01:16 UTC is 10:16 in Tokyo.
    const answer = within(row2).getByText('Auto-refunded 3,500 tokens on Nov 20, 10:16.');
    expect(answer).toHaveAttribute('title', expect.stringContaining('2026-11-20T01:16:00.000Z (UTC)'));
    expect(within(row1).getByText(formatDateTime('2026-11-20T01:10:00.000Z', 'Asia/Tokyo'))).toBeInTheDocument();
    const ledger = screen.getByRole('region', { name: 'Ledger entries of this chat' });
    expect(within(ledger).getByText(formatDateTime('2026-11-20T01:16:00.000Z', 'Asia/Tokyo'))).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'my clock' }));
    expect(within(row1).getByText(formatDateTime('2026-11-20T01:10:00.000Z', viewerTimeZone()))).toBeInTheDocument();
  });

  it('offers "Credit this run" only on runs a credit could still return tokens for', async () => {
    openChatReview();
    const runsSection = await screen.findByRole('region', { name: 'Runs' });
    await within(runsSection).findByText('gen_1');

    const credits = within(runsSection).getAllByRole('link', { name: /^Credit this run/ });
    expect(credits.map(link => link.getAttribute('href'))).toEqual(['/credits/create?runs=gen_1', '/credits/create?runs=gen_3']);
    const [, , row2] = within(runsSection).getAllByRole('row');
    expect(within(row2).queryByRole('link', { name: /^Credit this run/ })).not.toBeInTheDocument();
  });

  it('opens an output at full size in a dialog, a video playing, without leaving the page', async () => {
    const user = userEvent.setup();
    const { location } = openChatReview();

    await user.click(await screen.findByRole('button', { name: 'Preview image 1 of run gen_1' }));

    const dialog = await screen.findByRole('dialog', { name: 'Image 1 of 1 of run gen_1' });
    expect(within(dialog).getByRole('img', { name: 'Image 1 of 1 of run gen_1' })).toHaveAttribute('src', '/media/image-01.png');
    expect(within(dialog).getByText('1,024 × 768 px · 1.4 MB · image/png')).toBeInTheDocument();
    expect(within(dialog).getByRole('link', { name: /Open original/ })).toHaveAttribute('target', '_blank');
    await user.click(within(dialog).getByRole('button', { name: 'Close' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());

    await user.click(screen.getByRole('button', { name: 'Preview video 1 of run gen_3' }));

    const video = (await screen.findByRole('dialog', { name: 'Video 1 of 1 of run gen_3' })).querySelector('video');
    expect(video).toHaveAttribute('autoplay');
    expect(video).toHaveAttribute('controls');
    expect(video).toHaveAttribute('poster', '/media/video-01-poster.jpg');
    expect(video?.querySelector('source')).toHaveAttribute('src', '/media/video-01.mp4');
    expect(location.current?.pathname).toBe('/chats/cht_42/show');
  });
});
