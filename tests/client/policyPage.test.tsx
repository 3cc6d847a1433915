import { configure, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpError } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { PolicyPage } from '../../client/policy/PolicyPage.tsx';
import { defaultPolicy } from './creditsBuilders.ts';
import { admin, creditsApi, lead, renderAs, type StaffUser } from './creditsHarness.tsx';

configure({ asyncUtilTimeout: 5000 });

const openPolicy = (user: StaffUser) => {
  const api = creditsApi({});
  renderAs({ user, element: <PolicyPage />, path: '/policy', dataProvider: api.dataProvider });
  return api;
};

const thresholdInput = () => screen.findByLabelText('Approval threshold (tokens)');

describe('the policy page', () => {
  it('shows the policy read-only to anyone but an admin', async () => {
    const { updatePolicy } = openPolicy(lead);

    expect(await screen.findByText('Only admins change the policy.')).toBeInTheDocument();
    expect(screen.getByText('Approval threshold').nextSibling).toHaveTextContent('500 tokens');
    expect(screen.getByText('Refund grace period').nextSibling).toHaveTextContent('15 minutes');
    expect(screen.queryByRole('textbox')).not.toBeInTheDocument();
    expect(screen.queryByRole('spinbutton')).not.toBeInTheDocument();
    expect(updatePolicy).not.toHaveBeenCalled();
  });

  it('refuses a value out of range, on its field, without saving', async () => {
    const user = userEvent.setup();
    const { updatePolicy } = openPolicy(admin);
    const threshold = await thresholdInput();

    await user.clear(threshold);
    await user.type(threshold, '-5');
    await user.click(screen.getByRole('button', { name: 'Review changes…' }));

    expect(await screen.findByText('Must be 0 or more')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(updatePolicy).not.toHaveBeenCalled();
  });

  it('saves after a confirmation listing the changes, pessimistically', async () => {
    const user = userEvent.setup();
    const { updatePolicy } = openPolicy(admin);
    updatePolicy.mockResolvedValue({ ...defaultPolicy, approval_threshold: 800 });
    const threshold = await thresholdInput();

    await user.clear(threshold);
    await user.type(threshold, '800');
    await user.click(screen.getByRole('button', { name: 'Review changes…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Change the credit policy?' });
    expect(within(dialog).getByText(/Approval threshold: 500 tokens →/)).toHaveTextContent('Approval threshold: 500 tokens → 800 tokens');
    expect(updatePolicy).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole('button', { name: 'Save the policy' }));

    expect(updatePolicy).toHaveBeenCalledWith({ ...defaultPolicy, approval_threshold: 800 });
    expect(await screen.findByText('Credit policy saved: it applies to credits requested from now on.')).toBeInTheDocument();
  });

  it('shows the server’s field errors on the fields', async () => {
    const user = userEvent.setup();
    const { updatePolicy } = openPolicy(admin);
    updatePolicy.mockRejectedValue(
      new HttpError('Invalid', 400, { code: 'validation_failed', message: 'Check the fields.', errors: { refund_grace_minutes: 'must be at most 10080' } }),
    );
    const grace = await screen.findByLabelText('Refund grace period (minutes)');

    await user.clear(grace);
    await user.type(grace, '30');
    await user.click(screen.getByRole('button', { name: 'Review changes…' }));
    await user.click(await screen.findByRole('button', { name: 'Save the policy' }));

    expect(await screen.findByText('must be at most 10080')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(grace).toHaveValue(30);
    vi.mocked(console.error).mockClear();
  });
});
