import { configure, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';
import { HttpError } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { CreditCreate } from '../../client/credits/CreditCreate.tsx';
import { formatDateTime } from '../../client/display/format.ts';
import type { RunEligibility } from '../../shared/credits.ts';
import { buildCredit, buildRunEligibility, eligibilityOf } from './creditsBuilders.ts';
import { agent, creditsApi, lead, renderAs, type StaffUser } from './creditsHarness.tsx';
import { buildCustomer, buildRun } from './recordBuilders.ts';

// Whole react-admin pages on shared, busy machines: give each wait a few seconds.
configure({ asyncUtilTimeout: 5000 });

const refundedAt = '2026-11-20T01:16:00.000Z';
const glitchy = buildRunEligibility({ generation_id: 'gen_1', tokens_charged: 300, eligible_tokens: 300 });
const refunded = buildRunEligibility({
  generation_id: 'gen_2',
  tool: 'video',
  status: 'failed',
  refund_state: 'auto_refunded',
  tokens_charged: 3500,
  tokens_returned: 3500,
  eligible_tokens: 0,
  blocked_by: { kind: 'auto_refund', id: 'tx_refund_2', created_at: refundedAt },
  message: 'Already auto-refunded: 3500 tokens returned by tx_refund_2 on 2026-11-20T01:16:00.000Z.',
});
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const openCreditForm = ({ runs = [glitchy, refunded], user = agent, path }: { runs?: RunEligibility[]; user?: StaffUser; path?: string } = {}) => {
  const api = creditsApi({
    customers: [buildCustomer()],
    generations: [buildRun({ id: 'gen_1', tokens_charged: 300 }), buildRun({ id: 'gen_2', tool: 'video', started_at: '2026-11-20T01:15:00.000Z' })],
    credits: [],
  });
  api.eligibility.mockResolvedValue(eligibilityOf(runs));
  const view = renderAs({
    user,
    element: <CreditCreate />,
    path: path ?? `/credits/create?runs=${runs.map(run => run.generation_id).join(',')}`,
    resource: 'credits',
    dataProvider: api.dataProvider,
  });
  return { ...api, ...view };
};

const chooseReason = async (user: UserEvent, label: string) => {
  await user.click(screen.getByRole('combobox', { name: 'Reason' }));
  await user.click(await screen.findByRole('option', { name: label }));
};

/** Fills the case details of a valid credit. */
const fillCase = async (user: UserEvent) => {
  await chooseReason(user, 'Visual artifacts');
  await user.type(screen.getByLabelText('Ticket reference'), 'ZD-48213');
  await user.type(screen.getByLabelText('What the customer expected'), 'A clean lighthouse');
  await user.type(screen.getByLabelText('What they received'), 'Stripes across the sky');
};

const tokensOf = (runId: string) => screen.getByLabelText(`Tokens for ${runId}`) as HTMLInputElement;

describe('the credit form', () => {
  it('loads the eligibility of the selected runs, prefills the suggestion and names what blocks a run', async () => {
    const { eligibility } = openCreditForm();

    expect(await screen.findByRole('heading', { name: 'Grace Hopper' })).toBeInTheDocument();
    expect(eligibility).toHaveBeenCalledWith(['gen_1', 'gen_2']);
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('300'));
    expect(screen.getByText('Suggested: 300 tokens')).toBeInTheDocument();

    const blockedRow = screen.getByRole('row', { name: 'Run gen_2' });
    expect(within(blockedRow).getByText('Auto-refunded')).toBeInTheDocument();
    expect(
      within(blockedRow).getByText(`Not eligible: Already auto-refunded by ledger entry tx_refund_2 on ${formatDateTime(refundedAt)}.`),
    ).toBeInTheDocument();
    expect(within(blockedRow).queryByLabelText('Tokens for gen_2')).not.toBeInTheDocument();
    expect(within(blockedRow).getByRole('button', { name: 'Copy reply' })).toBeInTheDocument();
    expect(screen.getByText('Total:')).toHaveTextContent('Total: 300 tokens');
  });

  it('copies the customer-ready reply for a run refunded automatically, dated on the customer’s clock', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    openCreditForm();

    await user.click(await within(await screen.findByRole('row', { name: 'Run gen_2' })).findByRole('button', { name: 'Copy reply' }));

    expect(writeText).toHaveBeenCalledWith(
      "The 3,500 tokens for this run were refunded automatically on November 20, 2026; you'll see the refund in Settings → Usage history.",
    );
    expect(await screen.findByText('Reply copied: paste it into the ticket.')).toBeInTheDocument();
  });

  it('offers only the reasons that suit the runs', async () => {
    const user = userEvent.setup();
    openCreditForm({
      runs: [buildRunEligibility({ generation_id: 'gen_1', status: 'failed', refund_state: 'refund_missing', eligible_tokens: 8, tokens_charged: 8 })],
    });
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('8'));

    expect(screen.getByRole('combobox', { name: 'Reason' })).toHaveTextContent('Missed auto-refund');
    await user.click(screen.getByRole('combobox', { name: 'Reason' }));
    const options = await screen.findAllByRole('option');
    expect(options.map(option => option.textContent)).toEqual(['Choose the reason', 'Missed auto-refund']);
  });

  it('requires a note when an amount differs from the suggestion, saying so next to the field', async () => {
    const user = userEvent.setup();
    const { requestCredit } = openCreditForm();
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('300'));
    await fillCase(user);

    expect(screen.getByText('Optional. Internal: the customer never sees it.')).toBeInTheDocument();
    await user.clear(tokensOf('gen_1'));
    await user.type(tokensOf('gen_1'), '250');
    expect(screen.getByText('Required: the amount differs from the suggestion (300 tokens for gen_1), so say why.')).toBeInTheDocument();
    expect(screen.getByLabelText('Internal note (required)')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Review the credit…' }));
    expect(await screen.findAllByText('Required: the amount differs from the suggestion (300 tokens for gen_1), so say why.')).not.toHaveLength(0);
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(requestCredit).not.toHaveBeenCalled();
  });

  it('confirms the amount, customer and balances, then sends the body with an idempotency key and shows the new balance', async () => {
    const user = userEvent.setup();
    const { requestCredit, getList } = openCreditForm();
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('300'));
    await fillCase(user);
    requestCredit.mockResolvedValue({ status: 201, record: buildCredit({ amount: 300, items: [{ generation_id: 'gen_1', tokens: 300 }], balance_after: 12_645 }) });

    await user.click(screen.getByRole('button', { name: 'Review the credit…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Credit 300 tokens to Grace Hopper?' });
    expect(within(dialog).getByText('Balance now').nextSibling).toHaveTextContent('12,345 tokens');
    expect(within(dialog).getByText('Balance after').nextSibling).toHaveTextContent('12,645 tokens');
    expect(within(dialog).getByText('Applies at once: 300 tokens go to the customer now.')).toBeInTheDocument();
    expect(getList).toHaveBeenCalledWith('credits', expect.objectContaining({ filter: expect.objectContaining({ requested_by: 'stf_agent' }) }));

    await user.click(within(dialog).getByRole('button', { name: 'Confirm: credit 300 tokens' }));

    expect(await screen.findByText('Credited 300 tokens')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Grace Hopper’s new balance: 12,645 tokens.');
    expect(requestCredit).toHaveBeenCalledTimes(1);
    expect(requestCredit).toHaveBeenCalledWith(
      {
        customer_id: 'cus_7',
        items: [{ generation_id: 'gen_1', tokens: 300 }],
        amount: 300,
        reason: 'visual_artifacts',
        ticket_ref: 'ZD-48213',
        expected: 'A clean lighthouse',
        received: 'Stripes across the sky',
      },
      expect.stringMatching(uuid),
    );
    expect(screen.getByRole('button', { name: 'Copy reply' })).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Open the credit' })).toHaveAttribute('href', '/credits/crd_1/show');
  });

  it('sends the same idempotency key again when retrying after a network error', async () => {
    const user = userEvent.setup();
    const { requestCredit } = openCreditForm();
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('300'));
    await fillCase(user);
    requestCredit
      .mockRejectedValueOnce(new TypeError('Failed to fetch'))
      .mockResolvedValueOnce({ status: 201, record: buildCredit({ amount: 300, balance_after: 12_645 }) });

    await user.click(screen.getByRole('button', { name: 'Review the credit…' }));
    await user.click(await screen.findByRole('button', { name: 'Confirm: credit 300 tokens' }));
    const dialog = screen.getByRole('dialog');
    expect(await within(dialog).findByText(/Token Desk did not answer, so the credit may or may not have been recorded/)).toBeInTheDocument();
    // react-admin logs every failed data provider call.
    expect(vi.mocked(console.error)).toHaveBeenCalled();
    vi.mocked(console.error).mockClear();

    await user.click(within(dialog).getByRole('button', { name: 'Try again' }));

    expect(await screen.findByText('Credited 300 tokens')).toBeInTheDocument();
    expect(requestCredit).toHaveBeenCalledTimes(2);
    const [[firstBody, firstKey], [secondBody, secondKey]] = requestCredit.mock.calls;
    expect(firstKey).toMatch(uuid);
    expect(secondKey).toBe(firstKey);
    expect(secondBody).toEqual(firstBody);
  });

  it('says when the credit waits for approval, before and after sending, with the server’s reasons', async () => {
    const user = userEvent.setup();
    const big = buildRunEligibility({ generation_id: 'gen_1', tokens_charged: 1200, eligible_tokens: 1200 });
    const { requestCredit } = openCreditForm({ runs: [big] });
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('1200'));
    await fillCase(user);
    requestCredit.mockResolvedValue({
      status: 202,
      record: buildCredit({ status: 'pending_approval', balance_after: null, transaction_id: null, approval_reasons: ['1200 tokens is above the approval threshold of 500.'] }),
    });

    await user.click(screen.getByRole('button', { name: 'Review the credit…' }));
    const dialog = await screen.findByRole('dialog');
    expect(within(dialog).getByText(/Waits for a lead’s approval/)).toBeInTheDocument();
    expect(within(dialog).getByText('1,200 tokens is above the approval threshold of 500 tokens.')).toBeInTheDocument();
    // Nothing changes the balance before a lead approves: the review does not claim it does.
    expect(within(dialog).getByText('Balance after').nextSibling).toHaveTextContent('Unchanged until approved (then 13,545 tokens)');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm: credit 1,200 tokens' }));

    const outcome = await screen.findByRole('status');
    expect(within(outcome).getByText('Waiting for approval')).toBeInTheDocument();
    expect(within(outcome).getByText('1200 tokens is above the approval threshold of 500.')).toBeInTheDocument();
    expect(screen.queryByText(/new balance/)).not.toBeInTheDocument();
  });

  it('shows a server field error on its field and keeps everything typed', async () => {
    const user = userEvent.setup();
    const { requestCredit } = openCreditForm();
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('300'));
    await fillCase(user);
    requestCredit.mockRejectedValue(
      new HttpError('The request is invalid.', 400, {
        code: 'validation_failed',
        message: 'The request is invalid.',
        errors: { ticket_ref: 'is not a ticket of this helpdesk', 'items.0.tokens': 'must be at most 200' },
      }),
    );

    await user.click(screen.getByRole('button', { name: 'Review the credit…' }));
    await user.click(await screen.findByRole('button', { name: 'Confirm: credit 300 tokens' }));

    expect(await screen.findByText('Is not a ticket of this helpdesk')).toBeInTheDocument();
    expect(screen.getByText('Must be at most 200')).toBeInTheDocument();
    expect(screen.getByText('Not credited: check the marked fields')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.getByLabelText('Ticket reference')).toHaveValue('ZD-48213');
    expect(screen.getByLabelText('What the customer expected')).toHaveValue('A clean lighthouse');
    expect(screen.getByLabelText('Ticket reference')).toHaveAttribute('aria-invalid', 'true');
    vi.mocked(console.error).mockClear();
  });

  it('names the entries in the way of a 409 and shows the runs as they stand now', async () => {
    const user = userEvent.setup();
    const { requestCredit, eligibility } = openCreditForm({ runs: [glitchy] });
    await waitFor(() => expect(tokensOf('gen_1').value).toBe('300'));
    await fillCase(user);
    const lateRefund = { kind: 'auto_refund' as const, id: 'tx_refund_late', created_at: '2026-11-21T08:00:00.000Z' };
    requestCredit.mockRejectedValue(
      new HttpError('Run gen_1 cannot be credited.', 409, {
        code: 'already_refunded',
        message: 'Run gen_1 cannot be credited.',
        blocked_by: [{ generation_id: 'gen_1', ...lateRefund }],
        runs: [{ generation_id: 'gen_1', refund_state: 'auto_refunded', eligible_tokens: 0, message: null }],
      }),
    );
    eligibility.mockResolvedValue(eligibilityOf([{ ...glitchy, refund_state: 'auto_refunded', eligible_tokens: 0, tokens_returned: 300, blocked_by: lateRefund }]));

    await user.click(screen.getByRole('button', { name: 'Review the credit…' }));
    await user.click(await screen.findByRole('button', { name: 'Confirm: credit 300 tokens' }));

    const alert = await screen.findByText('Not credited: a run is no longer eligible');
    expect(alert.parentElement).toHaveTextContent(`Run gen_1: Already auto-refunded by ledger entry tx_refund_late on ${formatDateTime(lateRefund.created_at)}.`);
    await waitFor(() => expect(eligibility).toHaveBeenCalledTimes(2));
    expect(await screen.findByText('Nothing is left to return for this run any more: leave it out.')).toBeInTheDocument();
    expect(screen.getByLabelText('Ticket reference')).toHaveValue('ZD-48213');
    vi.mocked(console.error).mockClear();
  });

  it('lets a run be left out and added back', async () => {
    const user = userEvent.setup();
    openCreditForm({ runs: [glitchy, buildRunEligibility({ generation_id: 'gen_3', tokens_charged: 200, eligible_tokens: 200 })] });
    await waitFor(() => expect(screen.getByText('Total:')).toHaveTextContent('Total: 500 tokens'));

    await user.click(screen.getByRole('button', { name: 'Leave out gen_3' }));
    expect(screen.getByText('Total:')).toHaveTextContent('Total: 300 tokens');
    expect(screen.queryByLabelText('Tokens for gen_3')).not.toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Add gen_3 back' }));
    expect(tokensOf('gen_3').value).toBe('200');
  });

  it('makes a goodwill credit from the customer page: no runs, a typed amount, waiting for approval', async () => {
    const user = userEvent.setup();
    const { requestCredit, eligibility } = openCreditForm({ runs: [], user: lead, path: '/credits/create?customer_id=cus_7' });
    requestCredit.mockResolvedValue({ status: 202, record: buildCredit({ amount: 50, items: [], reason: 'goodwill', status: 'pending_approval' }) });

    expect(await screen.findByRole('heading', { name: 'Goodwill credit' })).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Reason' })).toHaveTextContent('Goodwill');
    fireEvent.change(screen.getByLabelText('Tokens to add'), { target: { value: '50' } });
    await user.type(screen.getByLabelText('Ticket reference'), 'ZD-7');
    await user.type(screen.getByLabelText('What the customer expected'), 'A working export');
    await user.type(screen.getByLabelText('What they received'), 'Three failed exports');
    await user.click(screen.getByRole('button', { name: 'Review the credit…' }));

    const dialog = await screen.findByRole('dialog', { name: 'Credit 50 tokens to Grace Hopper?' });
    expect(within(dialog).getByText('Goodwill credits wait for a lead’s approval.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Confirm: credit 50 tokens' }));

    expect(await screen.findByText('Waiting for approval')).toBeInTheDocument();
    expect(eligibility).not.toHaveBeenCalled();
    expect(requestCredit).toHaveBeenCalledWith(expect.objectContaining({ customer_id: 'cus_7', items: [], amount: 50, reason: 'goodwill' }), expect.stringMatching(uuid));
  });

  it('refuses runs of several customers', async () => {
    openCreditForm({ runs: [glitchy, { ...refunded, customer_id: 'cus_8' }] });

    expect(await screen.findByText(/These runs belong to 2 customers/)).toBeInTheDocument();
  });
});
