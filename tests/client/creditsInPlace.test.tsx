import { act, configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpError } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { CONFIRM_KEY_DELAY_MS } from '../../client/credits/CreditConfirmDialog.tsx';
import { CreditCreate } from '../../client/credits/CreditCreate.tsx';
import { formatDateTime } from '../../client/display/format.ts';
import type { RunEligibility } from '../../shared/credits.ts';
import { buildCredit, buildRunEligibility, eligibilityOf } from './creditsBuilders.ts';
import { agent, creditsApi, renderAs } from './creditsHarness.tsx';
import { buildAsset, buildCustomer, buildRun } from './recordBuilders.ts';

// Whole react-admin pages on shared, busy machines: give each wait a few seconds.
configure({ asyncUtilTimeout: 5000 });

const glitchy = buildRunEligibility({ generation_id: 'gen_1', tokens_charged: 300, eligible_tokens: 300 });
const missingRefund = buildRunEligibility({ generation_id: 'gen_1', status: 'failed', refund_state: 'refund_missing', tokens_charged: 300, eligible_tokens: 300 });
const refunded = buildRunEligibility({
  generation_id: 'gen_1',
  status: 'failed',
  refund_state: 'auto_refunded',
  tokens_returned: 300,
  tokens_charged: 300,
  eligible_tokens: 0,
  blocked_by: { kind: 'auto_refund', id: 'tx_refund_1', created_at: '2026-11-20T01:16:00.000Z' },
});

/** The credit form at `search`, over one customer, one run (with one output) and the eligibility given. */
const openForm = ({ runs = [glitchy], search = `runs=${runs.map(run => run.generation_id).join(',')}` }: { runs?: RunEligibility[]; search?: string } = {}) => {
  const api = creditsApi({
    customers: [buildCustomer()],
    generations: [buildRun({ id: 'gen_1', tokens_charged: 300 })],
    assets: [buildAsset({ id: 'ast_1', generation_id: 'gen_1', thumbnail_url: '/media/thumb-01.png' })],
    credits: [],
  });
  api.eligibility.mockResolvedValue(eligibilityOf(runs));
  const view = renderAs({ user: agent, element: <CreditCreate />, path: `/credits/create?${search}`, resource: 'credits', dataProvider: api.dataProvider });
  return { ...api, ...view };
};

const tokensOf = (runId: string) => screen.getByLabelText(`Tokens for ${runId}`) as HTMLInputElement;

const helpdeskSearch = `runs=gen_1&${new URLSearchParams({ ticket: 'ZD-48213', at: '2026-11-20T02:10', expected: 'A clean lighthouse', received: 'Stripes across the sky' })}`;

describe('a credit started from a helpdesk link', () => {
  it('holds the ticket reference and the customer’s words, and sends them', async () => {
    const user = userEvent.setup();
    const { requestCredit } = openForm({ search: helpdeskSearch });
    requestCredit.mockResolvedValue({ status: 201, record: buildCredit({ amount: 300, balance_after: 12_645 }) });
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('300'));

    expect(screen.getByLabelText('Ticket reference')).toHaveValue('ZD-48213');
    expect(screen.getByLabelText('What the customer expected')).toHaveValue('A clean lighthouse');
    expect(screen.getByLabelText('What they received')).toHaveValue('Stripes across the sky');
    // Succeeded runs suit several reasons: the agent picks one.
    expect(screen.getByRole('combobox', { name: 'Reason' })).not.toHaveTextContent('Visual artifacts');
    await user.click(screen.getByRole('combobox', { name: 'Reason' }));
    await user.click(await screen.findByRole('option', { name: 'Visual artifacts' }));
    await user.click(screen.getByRole('button', { name: 'Review the credit…' }));
    await user.click(await screen.findByRole('button', { name: 'Confirm: credit 300 tokens' }));

    expect(await screen.findByText('Credited 300 tokens')).toBeInTheDocument();
    expect(requestCredit).toHaveBeenCalledWith(
      expect.objectContaining({ ticket_ref: 'ZD-48213', expected: 'A clean lighthouse', received: 'Stripes across the sky', reason: 'visual_artifacts' }),
      expect.any(String),
    );
  });

  it('needs no reason to be picked for a missing refund, nor the customer’s words', async () => {
    const user = userEvent.setup();
    const { requestCredit } = openForm({ runs: [missingRefund], search: 'runs=gen_1&ticket=ZD-7' });
    requestCredit.mockResolvedValue({ status: 201, record: buildCredit({ amount: 300, reason: 'missed_auto_refund', expected: '', received: '' }) });
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('300'));

    expect(screen.getByRole('combobox', { name: 'Reason' })).toHaveTextContent('Missed auto-refund');
    expect(screen.getByText('Optional for a missed auto-refund: the run failed, whatever was asked.')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Review the credit…' }));
    await user.click(await screen.findByRole('button', { name: 'Confirm: credit 300 tokens' }));

    expect(await screen.findByText('Credited 300 tokens')).toBeInTheDocument();
    expect(requestCredit).toHaveBeenCalledWith(expect.objectContaining({ reason: 'missed_auto_refund', ticket_ref: 'ZD-7', expected: '', received: '' }), expect.any(String));
  });
});

describe('the credit form, in place', () => {
  it('shows what each run produced, loading the outputs of all its runs in one request', async () => {
    const { getList } = openForm();

    const row = await screen.findByRole('row', { name: 'Run gen_1' });
    expect(await within(row).findByRole('img', { name: 'Image 1 of run gen_1' })).toHaveAttribute('src', '/media/thumb-01.png');
    expect(getList).toHaveBeenCalledWith('assets', expect.objectContaining({ filter: { generation_id: ['gen_1'] } }));
  });

  it('never picks goodwill for a run that cannot be credited, and says why instead', async () => {
    const user = userEvent.setup();
    const { requestCredit } = openForm({ runs: [refunded] });

    expect(
      await screen.findByText('This run cannot be credited, so there is no reason to choose: the table says why. A goodwill credit is not the way round it.'),
    ).toBeInTheDocument();
    expect(screen.getByText(`Not eligible: Already auto-refunded by ledger entry tx_refund_1 on ${formatDateTime('2026-11-20T01:16:00.000Z')}.`)).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Reason' })).not.toHaveTextContent('Goodwill');
    await user.click(screen.getByRole('combobox', { name: 'Reason' }));
    expect((await screen.findAllByRole('option')).map(option => option.textContent)).toEqual(['Choose the reason']);
    await user.keyboard('{Escape}');
    await user.click(screen.getByRole('button', { name: 'Review the credit…' }));
    expect(await screen.findByText('Keep at least one run in the credit')).toBeInTheDocument();
    expect(requestCredit).not.toHaveBeenCalled();
  });

  it('asks before leaving with unsaved changes, and keeps them when the agent stays', async () => {
    const user = userEvent.setup();
    const { location } = openForm({ search: helpdeskSearch });
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('300'));

    await user.type(screen.getByLabelText('Internal note'), 'Second complaint');
    await user.click(screen.getByRole('link', { name: 'gen_1' }));

    const dialog = await screen.findByRole('dialog', { name: 'Leave without sending?' });
    expect(within(dialog).getByText('This credit is not sent: what you entered here is lost if you leave.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Stay on the form' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(location.current?.pathname).toBe('/credits/create');
    expect(screen.getByLabelText('Internal note')).toHaveValue('Second complaint');

    await user.click(screen.getByRole('link', { name: 'gen_1' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'Leave without sending?' })).getByRole('button', { name: 'Leave' }));
    await waitFor(() => expect(location.current?.pathname).toBe('/generations/gen_1/show'));
  });

  it('lets the agent leave a form that only holds what the helpdesk link filled in', async () => {
    const user = userEvent.setup();
    const { location } = openForm({ search: helpdeskSearch });
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('300'));

    await user.click(screen.getByRole('link', { name: 'gen_1' }));

    await waitFor(() => expect(location.current?.pathname).toBe('/generations/gen_1/show'));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
  });
});

describe('confirming a credit from the keyboard', () => {
  it('ignores an Enter pressed as the review opens, takes one after a pause, and then puts focus on the outcome', async () => {
    const user = userEvent.setup();
    const { requestCredit } = openForm({ runs: [missingRefund], search: 'runs=gen_1&ticket=ZD-7' });
    requestCredit.mockResolvedValue({ status: 201, record: buildCredit({ amount: 300, reason: 'missed_auto_refund', balance_after: 12_645 }) });
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('300'));

    // Enter in a field sends the form to review; the same key pressed again lands on Confirm.
    await user.click(screen.getByLabelText('Ticket reference'));
    await user.keyboard('{Enter}');
    const confirm = await screen.findByRole('button', { name: 'Confirm: credit 300 tokens' });
    await waitFor(() => expect(confirm).toHaveFocus());
    await user.keyboard('{Enter}');
    expect(requestCredit).not.toHaveBeenCalled();
    expect(screen.getByRole('dialog')).toBeInTheDocument();

    await act(() => new Promise(resolve => setTimeout(resolve, CONFIRM_KEY_DELAY_MS + 100)));
    await user.keyboard('{Enter}');

    const heading = await screen.findByRole('heading', { name: 'Credited 300 tokens' });
    expect(requestCredit).toHaveBeenCalledTimes(1);
    await waitFor(() => expect(heading).toHaveFocus());
  });
});

describe('after the server refuses a credit', () => {
  it('asks again for the balance and every run’s eligibility, and dates the entry in the way', async () => {
    const user = userEvent.setup();
    const { requestCredit, eligibility, getOne } = openForm({ search: helpdeskSearch });
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('300'));
    await user.click(screen.getByRole('combobox', { name: 'Reason' }));
    await user.click(await screen.findByRole('option', { name: 'Off prompt' }));
    const credited = { kind: 'manual_credit' as const, id: 'tx_credit_9', created_at: '2026-11-21T08:00:00.000Z' };
    requestCredit.mockRejectedValue(
      new HttpError('Run gen_1 cannot be credited.', 409, {
        code: 'already_credited',
        message: 'Run gen_1 cannot be credited. Already credited in full: 300 tokens returned, last by tx_credit_9 on 2026-11-21 08:00 UTC.',
        blocked_by: [{ generation_id: 'gen_1', ...credited }],
        runs: [{ generation_id: 'gen_1', refund_state: 'credited', eligible_tokens: 0, message: null }],
      }),
    );
    eligibility.mockResolvedValue(eligibilityOf([{ ...glitchy, refund_state: 'credited', tokens_returned: 300, eligible_tokens: 0, blocked_by: credited }]));
    const customerReads = getOne.mock.calls.filter(([resource]) => resource === 'customers').length;

    await user.click(screen.getByRole('button', { name: 'Review the credit…' }));
    await user.click(await screen.findByRole('button', { name: 'Confirm: credit 300 tokens' }));

    const alert = (await screen.findByText('Not credited: a run is no longer eligible')).parentElement as HTMLElement;
    expect(alert).toHaveTextContent(`Run gen_1: Already credited by ledger entry tx_credit_9 on ${formatDateTime(credited.created_at)}.`);
    expect(alert).not.toHaveTextContent('2026-11-21');
    await waitFor(() => expect(eligibility).toHaveBeenCalledTimes(2));
    await waitFor(() => expect(getOne.mock.calls.filter(([resource]) => resource === 'customers').length).toBeGreaterThan(customerReads));
    expect(await screen.findByText('Nothing is left to return for this run any more: leave it out.')).toBeInTheDocument();
    // react-admin logs every failed data provider call.
    vi.mocked(console.error).mockClear();
  });
});
