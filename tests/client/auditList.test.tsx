import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { AuditList } from '../../client/audit/AuditList.tsx';
import type { ChainStatus } from '../../shared/audit.ts';
import { buildAuditEvent } from './creditsBuilders.ts';
import { agent, creditsApi, lead, renderAs, type StaffUser } from './creditsHarness.tsx';

configure({ asyncUtilTimeout: 5000 });

const openAuditLog = (user: StaffUser, chain: ChainStatus = { ok: true, checked: 1234, first_bad_id: null }) => {
  const api = creditsApi({
    audit: [
      buildAuditEvent(),
      buildAuditEvent({ id: 40, action: 'policy.updated', entity_type: 'policy', entity_id: 'credit_policy', customer_id: null, before: { approval_threshold: 500 }, after: { approval_threshold: 800 }, actor_name: 'Ari Admin', actor_id: 'stf_admin' }),
    ],
  });
  api.verifyAudit.mockResolvedValue(chain);
  renderAs({ user, element: <AuditList />, path: '/audit', resource: 'audit', dataProvider: api.dataProvider });
  return api;
};

describe('the audit log', () => {
  it('lists events with who, what and on which record, and says the chain is intact', async () => {
    const { getList, verifyAudit } = openAuditLog(lead);

    const row = await screen.findByRole('row', { name: /Credit applied/ });
    expect(within(row).getByTitle('stf_agent')).toHaveTextContent('Ada Agent');
    expect(within(row).getByRole('link', { name: 'crd_1' })).toHaveAttribute('href', '/credits/crd_1/show');
    expect(await screen.findByText('Audit chain OK: 1,234 events verified')).toBeInTheDocument();
    expect(verifyAudit).toHaveBeenCalledTimes(1);
    expect(getList).toHaveBeenCalledWith('audit', expect.objectContaining({ sort: { field: 'at', order: 'DESC' } }));
  });

  it('shows a broken chain at its first bad event, in the error colour', async () => {
    openAuditLog(lead, { ok: false, checked: 17, first_bad_id: 17 });

    const status = await screen.findByText('Audit chain BROKEN at event 17');
    expect(status.closest('.MuiChip-root')).toHaveClass('MuiChip-colorError');
  });

  it('expands an event into a table of the values it changed', async () => {
    const user = userEvent.setup();
    openAuditLog(lead);
    const row = await screen.findByRole('row', { name: /Policy updated/ });

    await user.click(within(row).getByRole('button', { name: 'Show the changes of event 40' }));

    const changes = await screen.findByRole('table', { name: 'Changes of event 40' });
    const cells = within(changes).getAllByRole('cell').map(cell => cell.textContent);
    expect(cells).toEqual(['approval_threshold', '500', '800', 'changed']);
    await user.click(within(row).getByRole('button', { name: 'Hide the changes of event 40' }));
    await waitFor(() => expect(screen.queryByRole('table', { name: 'Changes of event 40' })).not.toBeInTheDocument());
  });

  it('opens an event\'s changes from the keyboard alone', async () => {
    const user = userEvent.setup();
    openAuditLog(lead);
    const toggle = await screen.findByRole('button', { name: 'Show the changes of event 40' });

    // Tab through the page until the toggle has the focus: it is in the tab order.
    for (let presses = 0; presses < 60 && document.activeElement !== toggle; presses++) await user.tab();
    expect(toggle).toHaveFocus();
    await user.keyboard('{Enter}');

    expect(await screen.findByRole('table', { name: 'Changes of event 40' })).toBeInTheDocument();
    expect(toggle).toHaveAttribute('aria-expanded', 'true');
  });

  it('is for leads and admins', async () => {
    const { getList } = openAuditLog(agent);

    expect(await screen.findByText(/The audit log is for leads and admins/)).toBeInTheDocument();
    expect(getList).not.toHaveBeenCalled();
  });
});
