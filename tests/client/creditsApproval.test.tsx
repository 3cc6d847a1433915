import { configure, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpError } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { ApprovalQueue } from '../../client/credits/ApprovalQueue.tsx';
import { CreditShow } from '../../client/credits/CreditShow.tsx';
import { formatDateTime } from '../../client/display/format.ts';
import type { CreditRecord } from '../../shared/credits.ts';
import { buildCredit } from './creditsBuilders.ts';
import { creditsApi, lead, renderAs } from './creditsHarness.tsx';
import { buildAsset, buildCustomer, buildRun } from './recordBuilders.ts';

configure({ asyncUtilTimeout: 5000 });

const pending = buildCredit({
  status: 'pending_approval',
  amount: 1200,
  balance_after: null,
  transaction_id: null,
  approval_reasons: ['1,200 tokens is above the approval threshold of 500 tokens.'],
  anomalies: [{ rule: 'repeat_customer', message: 'Third credit for this customer in 30 days.' }],
});

const tables = (credits: CreditRecord[]) => ({
  credits,
  customers: [buildCustomer()],
  generations: [buildRun({ id: 'gen_1' })],
  assets: [buildAsset({ id: 'ast_1', generation_id: 'gen_1', thumbnail_url: '/media/thumb-01.png' })],
  audit: [],
});

const openCredit = (credit: CreditRecord) => {
  const api = creditsApi(tables([credit]));
  const view = renderAs({ user: lead, element: <CreditShow />, path: `/credits/${credit.id}/show`, route: '/credits/:id/show/*', resource: 'credits', dataProvider: api.dataProvider });
  return { ...api, ...view };
};

describe('the approval queue', () => {
  it('shows each waiting credit with what its runs produced, why it waits, and the decisions', async () => {
    const api = creditsApi(tables([pending]));
    renderAs({ user: lead, element: <ApprovalQueue />, path: '/approvals', dataProvider: api.dataProvider });

    const row = (await screen.findByRole('link', { name: 'crd_1' })).closest('tr') as HTMLElement;
    expect(within(row).getByText('1,200 tokens')).toBeInTheDocument();
    // The reference is an element of its own (a link when the helpdesk is known): match the line's whole text.
    expect(within(row).getByText((_, element) => element?.textContent === 'Ticket ZD-100 · 1 run' && element.children.length > 0)).toBeInTheDocument();
    expect(await within(row).findByRole('img', { name: 'Image 1 of run gen_1' })).toHaveAttribute('src', '/media/thumb-01.png');
    expect(within(row).getByText('1,200 tokens is above the approval threshold of 500 tokens.')).toBeInTheDocument();
    expect(within(row).getByText('Third credit for this customer in 30 days.')).toBeInTheDocument();
    expect(within(row).getByRole('button', { name: 'Approve' })).toBeInTheDocument();
    expect(within(row).getByRole('button', { name: 'Reject' })).toBeInTheDocument();
    expect(api.getMany).toHaveBeenCalledWith('generations', expect.objectContaining({ ids: ['gen_1'] }));
  });

  it('says how long each credit has waited for a lead', async () => {
    const threeHoursAgo = new Date(Date.now() - 3 * 3_600_000 - 60_000).toISOString();
    const api = creditsApi(tables([{ ...pending, created_at: threeHoursAgo }]));
    renderAs({ user: lead, element: <ApprovalQueue />, path: '/approvals', dataProvider: api.dataProvider });

    const row = (await screen.findByRole('link', { name: 'crd_1' })).closest('tr') as HTMLElement;
    expect(within(row).getByText('waiting 3 hours')).toBeInTheDocument();
  });
});

describe('the credit’s page, for the lead who decides', () => {
  it('shows the runs’ outputs, and no balance after for a credit that has not applied', async () => {
    openCredit(pending);

    const runs = await screen.findByRole('table', { name: 'Runs of this credit' });
    expect(await within(runs).findByRole('img', { name: 'Image 1 of run gen_1' })).toBeInTheDocument();
    expect(screen.getByText('Balance when requested').nextSibling).toHaveTextContent('12,345 tokens');
    expect(screen.queryByText('Balance after')).not.toBeInTheDocument();
    expect(screen.queryByText('Balance before')).not.toBeInTheDocument();
  });

  it('shows a void: who, when, why, and the entry that took the tokens back', async () => {
    openCredit(
      buildCredit({
        status: 'voided',
        voided_by: 'stf_lead',
        voided_by_name: 'Lee Lead',
        voided_at: '2026-11-22T10:00:00.000Z',
        void_reason: 'Credited the wrong run',
        void_transaction_id: 'txn_void_1',
      }),
    );

    const notice = (await screen.findByText('Voided', { selector: '.MuiAlertTitle-root' })).parentElement as HTMLElement;
    expect(notice).toHaveTextContent(`By Lee Lead, ${formatDateTime('2026-11-22T10:00:00.000Z')}: Credited the wrong run.`);
    expect(within(notice).getByRole('link', { name: 'txn_void_1' })).toHaveAttribute('href', '/transactions/txn_void_1/show');
    expect(notice).toHaveTextContent('took the 1,200 tokens back');
    expect(screen.getByText('Balance after').nextSibling).toHaveTextContent('13,545 tokens');
  });

  it('dates the entry in the way when an approval comes too late', async () => {
    const user = userEvent.setup();
    const { approveCredit } = openCredit(pending);
    const refundedAt = '2026-11-21T08:00:00.000Z';
    approveCredit.mockRejectedValue(
      new HttpError('Run gen_1 cannot be credited.', 409, {
        code: 'already_refunded',
        message: 'Run gen_1 cannot be credited. Already auto-refunded: 1200 tokens returned by tx_r on 2026-11-21 08:00 UTC.',
        blocked_by: [{ generation_id: 'gen_1', kind: 'auto_refund', id: 'tx_r', created_at: refundedAt }],
        runs: [{ generation_id: 'gen_1', refund_state: 'auto_refunded', eligible_tokens: 0, message: null }],
      }),
    );

    await user.click(await screen.findByRole('button', { name: 'Approve' }));
    await user.click(within(await screen.findByRole('dialog')).getByRole('button', { name: 'Approve 1,200 tokens' }));

    expect(
      await screen.findByText(`Not approved: run gen_1: Already auto-refunded by ledger entry tx_r on ${formatDateTime(refundedAt)}. Reject it instead, saying so.`),
    ).toBeInTheDocument();
    // react-admin logs every failed data provider call.
    vi.mocked(console.error).mockClear();
  });
});
