import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpError } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { ApprovalQueue } from '../../client/credits/ApprovalQueue.tsx';
import { CreditList } from '../../client/credits/CreditList.tsx';
import { CreditShow } from '../../client/credits/CreditShow.tsx';
import type { CreditRecord } from '../../shared/credits.ts';
import { buildAuditEvent, buildCredit, deliveredEvent } from './creditsBuilders.ts';
import { admin, agent, creditsApi, lead, renderAs, type StaffUser } from './creditsHarness.tsx';
import { buildCustomer, buildRun } from './recordBuilders.ts';

configure({ asyncUtilTimeout: 5000 });

const pending = buildCredit({
  status: 'pending_approval',
  amount: 1200,
  balance_after: null,
  transaction_id: null,
  approval_reasons: ['1200 tokens is above the approval threshold of 500.'],
});

const openCredit = (credit: CreditRecord, user: StaffUser) => {
  const api = creditsApi({
    credits: [credit],
    customers: [buildCustomer()],
    generations: [buildRun({ id: 'gen_1' })],
    audit: [
      buildAuditEvent({ id: 40, action: 'credit.requested', before: null, after: { status: credit.status, amount: credit.amount } }),
      buildAuditEvent({ id: 41 }),
    ],
  });
  const view = renderAs({ user, element: <CreditShow />, path: `/credits/${credit.id}/show`, route: '/credits/:id/show/*', resource: 'credits', dataProvider: api.dataProvider });
  return { ...api, ...view };
};

describe('the credit record page', () => {
  it('shows who asked for what and why, the runs with their state at request, the balances and the audit trail', async () => {
    const { getList } = openCredit(buildCredit({ note: 'Second complaint this week', customer_asset_urls: ['https://files.example.com/shot.png', 'javascript:alert(1)'] }), agent);

    // The reference is an element of its own (a link when the helpdesk is known): match the line's whole text.
    expect(await screen.findByText((_, element) => element?.textContent === 'Credit crd_1 · Visual artifacts · ticket ZD-100' && element.tagName !== 'DIV')).toBeInTheDocument();
    expect(screen.getByText('Applied')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'Grace Hopper' })).toHaveAttribute('href', '/customers/cus_7/show');
    const runs = screen.getByRole('table', { name: 'Runs of this credit' });
    expect(within(runs).getByRole('link', { name: 'gen_1' })).toHaveAttribute('href', '/generations/gen_1/show');
    expect(within(runs).getByText('No refund')).toBeInTheDocument();
    expect(screen.getByText('Balance before').nextSibling).toHaveTextContent('12,345 tokens');
    expect(screen.getByText('Balance after').nextSibling).toHaveTextContent('13,545 tokens');
    expect(screen.getByText('Second complaint this week')).toBeInTheDocument();
    expect(screen.getByRole('link', { name: 'https://files.example.com/shot.png' })).toHaveAttribute('rel', 'noopener noreferrer');
    expect(screen.queryByRole('link', { name: /javascript/ })).not.toBeInTheDocument();
    expect(screen.getByText('javascript:alert(1) (not an https link: not opened)')).toBeInTheDocument();

    const trail = await screen.findByRole('region', { name: 'Audit trail' });
    expect(await within(trail).findByText('Credit applied')).toBeInTheDocument();
    expect(within(trail).getByText('Credit requested')).toBeInTheDocument();
    expect(getList).toHaveBeenCalledWith('audit', expect.objectContaining({ filter: { customer_id: 'cus_7', entity_id: 'crd_1' } }));
    // An agent reads the trail, not the audit log's own pages.
    expect(within(trail).queryByRole('link', { name: '41' })).not.toBeInTheDocument();
  });

  it('shows no decision to an agent', async () => {
    openCredit(pending, agent);

    expect(await screen.findByText('Waiting for approval', { selector: '.MuiAlertTitle-root' })).toBeInTheDocument();
    expect(screen.getByText(/1200 tokens is above the approval threshold of 500\./)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: /approve|reject|void|withdraw/i })).not.toBeInTheDocument();
  });

  it('lets a lead approve after a confirmation, and says so once the server has applied it', async () => {
    const user = userEvent.setup();
    const { approveCredit } = openCredit(pending, lead);
    approveCredit.mockResolvedValue(buildCredit({ status: 'applied', decided_by: 'stf_lead' }));

    await user.click(await screen.findByRole('button', { name: 'Approve' }));
    const dialog = await screen.findByRole('dialog', { name: 'Approve 1,200 tokens for Grace Hopper?' });
    expect(within(dialog).getByText(/Requested by Ada Agent/)).toBeInTheDocument();
    expect(approveCredit).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole('button', { name: 'Approve 1,200 tokens' }));

    expect(approveCredit).toHaveBeenCalledWith('crd_1');
    expect(await screen.findByText('Approved: 1,200 tokens credited to Grace Hopper.')).toBeInTheDocument();
  });

  it('shows the server’s refusal of an approval in the dialog', async () => {
    const user = userEvent.setup();
    const { approveCredit } = openCredit(pending, lead);
    approveCredit.mockRejectedValue(new HttpError('not pending', 409, { code: 'not_pending', message: 'Credit crd_1 is applied, not waiting for approval.' }));

    await user.click(await screen.findByRole('button', { name: 'Approve' }));
    await user.click(await screen.findByRole('button', { name: 'Approve 1,200 tokens' }));

    expect(await screen.findByText('Credit crd_1 is applied, not waiting for approval.')).toBeInTheDocument();
    vi.mocked(console.error).mockClear();
  });

  it('never offers approval to the requester, only a withdrawal', async () => {
    openCredit({ ...pending, requested_by: 'stf_lead', requested_by_name: 'Lee Lead' }, lead);

    expect(await screen.findByRole('button', { name: 'Withdraw' })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Approve' })).not.toBeInTheDocument();
  });

  it('requires a reason to reject', async () => {
    const user = userEvent.setup();
    const { rejectCredit } = openCredit(pending, admin);
    rejectCredit.mockResolvedValue(buildCredit({ status: 'rejected' }));

    await user.click(await screen.findByRole('button', { name: 'Reject' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reject 1,200 tokens for Grace Hopper?' });
    await user.click(within(dialog).getByRole('button', { name: 'Reject' }));
    expect(within(dialog).getByText('Required: say why, for the audit log.')).toBeInTheDocument();
    expect(rejectCredit).not.toHaveBeenCalled();

    await user.type(within(dialog).getByRole('textbox', { name: 'Why reject it' }), 'The output matches the prompt');
    await user.click(within(dialog).getByRole('button', { name: 'Reject' }));

    expect(rejectCredit).toHaveBeenCalledWith('crd_1', 'The output matches the prompt');
    expect(await screen.findByText('Rejected credit crd_1.')).toBeInTheDocument();
  });

  it('lets a lead void an applied credit, with a reason', async () => {
    const user = userEvent.setup();
    const { voidCredit } = openCredit(buildCredit(), lead);
    voidCredit.mockResolvedValue(buildCredit({ status: 'voided' }));

    await user.click(await screen.findByRole('button', { name: 'Void' }));
    const dialog = await screen.findByRole('dialog', { name: 'Void this credit of 1,200 tokens?' });
    await user.click(within(dialog).getByRole('button', { name: 'Void 1,200 tokens' }));
    expect(voidCredit).not.toHaveBeenCalled();
    await user.type(within(dialog).getByRole('textbox', { name: 'Why void it' }), 'Wrong customer');
    await user.click(within(dialog).getByRole('button', { name: 'Void 1,200 tokens' }));

    expect(voidCredit).toHaveBeenCalledWith('crd_1', 'Wrong customer');
  });

  it('copies the customer reply for an applied credit the studio has taken', async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined);
    openCredit(buildCredit({ delivery: [deliveredEvent()] }), agent);

    await user.click(await screen.findByRole('button', { name: 'Copy reply' }));

    // gen_1 started at 01:10 UTC on Nov 20: Nov 20 in Tokyo too.
    expect(writeText).toHaveBeenCalledWith(
      "We've added 1,200 tokens to your account for the run of November 20, 2026, after reviewing your request. You'll see the credit in Settings → Usage history.",
    );
  });
});

describe('the approval queue', () => {
  const queue = (user: StaffUser) => {
    const api = creditsApi({
      credits: [pending, { ...pending, id: 'crd_2', requested_by: 'stf_lead', requested_by_name: 'Lee Lead' }, buildCredit({ id: 'crd_3' })],
    });
    renderAs({ user, element: <ApprovalQueue />, path: '/approvals', dataProvider: api.dataProvider });
    return api;
  };

  it('lists the credits waiting, oldest first, with why they wait and the decisions the lead may take', async () => {
    const { getList } = queue(lead);

    const mine = await screen.findByRole('row', { name: /crd_2/ });
    const theirs = screen.getByRole('row', { name: /crd_1/ });
    expect(screen.queryByRole('row', { name: /crd_3/ })).not.toBeInTheDocument();
    expect(within(theirs).getByText('1200 tokens is above the approval threshold of 500.')).toBeInTheDocument();
    expect(await within(theirs).findByRole('button', { name: 'Approve' })).toBeInTheDocument();
    expect(within(mine).getByRole('button', { name: 'Withdraw' })).toBeInTheDocument();
    expect(within(mine).queryByRole('button', { name: 'Approve' })).not.toBeInTheDocument();
    expect(getList).toHaveBeenCalledWith(
      'credits',
      expect.objectContaining({ filter: { status: 'pending_approval' }, sort: { field: 'created_at', order: 'ASC' } }),
    );
  });

  it('is not for agents', async () => {
    const { getList } = queue(agent);

    expect(await screen.findByText(/Leads and admins decide on credits waiting for approval/)).toBeInTheDocument();
    expect(getList).not.toHaveBeenCalled();
  });
});

describe('the credits list', () => {
  it('lists grants with their status, reason and requester, and narrows to my requests', async () => {
    const user = userEvent.setup();
    const api = creditsApi({ credits: [buildCredit(), buildCredit({ id: 'crd_9', requested_by: 'stf_lead', requested_by_name: 'Lee Lead', status: 'rejected' })] });
    renderAs({ user: agent, element: <CreditList />, path: '/credits', resource: 'credits', dataProvider: api.dataProvider });

    expect(await screen.findByRole('link', { name: 'crd_9' })).toBeInTheDocument();
    expect(screen.getByText('Rejected')).toBeInTheDocument();
    expect(screen.getByText('Lee Lead')).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'My requests' }));

    await waitFor(() => expect(screen.queryByRole('link', { name: 'crd_9' })).not.toBeInTheDocument());
    expect(api.getList).toHaveBeenLastCalledWith('credits', expect.objectContaining({ filter: { requested_by: 'stf_agent' } }));
  });

  it('lets a lead narrow the grants to one agent, picked by name', async () => {
    const user = userEvent.setup();
    const api = creditsApi({
      credits: [buildCredit(), buildCredit({ id: 'crd_9', requested_by: 'stf_lead', requested_by_name: 'Lee Lead' })],
      staff: [
        { id: 'stf_agent', name: 'Ada Agent', role: 'agent' },
        { id: 'stf_lead', name: 'Lee Lead', role: 'lead' },
      ],
    });
    renderAs({ user: lead, element: <CreditList />, path: '/credits', resource: 'credits', dataProvider: api.dataProvider });
    expect(await screen.findByRole('link', { name: 'crd_9' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.click(await screen.findByRole('menuitemcheckbox', { name: 'Requested by' }));
    await user.click(await screen.findByRole('combobox', { name: 'Requested by' }));
    await user.click(await screen.findByRole('option', { name: 'Ada Agent' }));

    await waitFor(() => expect(screen.queryByRole('link', { name: 'crd_9' })).not.toBeInTheDocument());
    expect(api.getList).toHaveBeenLastCalledWith('credits', expect.objectContaining({ filter: { requested_by: 'stf_agent' } }));
    expect(api.getList).toHaveBeenCalledWith('staff', expect.objectContaining({ sort: { field: 'name', order: 'ASC' } }));
  });

  it('gives agents, who may not read the staff list, the staff id field instead of a picker', async () => {
    const user = userEvent.setup();
    const api = creditsApi({ credits: [buildCredit()] });
    renderAs({ user: agent, element: <CreditList />, path: '/credits', resource: 'credits', dataProvider: api.dataProvider });
    expect(await screen.findByRole('link', { name: 'crd_1' })).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Add filter' }));
    await user.click(await screen.findByRole('menuitemcheckbox', { name: 'Requested by (staff id)' }));

    expect(await screen.findByRole('textbox', { name: 'Requested by (staff id)' })).toBeInTheDocument();
    expect(api.getList).not.toHaveBeenCalledWith('staff', expect.anything());
  });
});
