import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpError, type GetListParams, type UpdateParams } from 'react-admin';
import { describe, expect, it, vi } from 'vitest';
import { StaffCreate } from '../../client/staff/StaffCreate.tsx';
import { StaffList } from '../../client/staff/StaffList.tsx';
import { StaffShow } from '../../client/staff/StaffShow.tsx';
import type { Role } from '../../shared/roles.ts';
import type { StaffInvite, StaffRecord } from '../../shared/staff.ts';
import { buildStaff, providerWith, renderAs } from './dashboardHarness.tsx';

const people = [
  buildStaff({ id: 'stf_ari', name: 'Ari Admin', email: 'admin@tokendesk.test', role: 'admin' }),
  buildStaff(),
  buildStaff({ id: 'stf_old', name: 'Olga Former', email: 'olga@tokendesk.test', role: 'lead', disabled: true }),
  buildStaff({ id: 'stf_new', name: 'Nina New', email: 'nina@tokendesk.test', must_change_password: true }),
];

const staffApi = (overrides: Record<string, (...args: never[]) => Promise<unknown>> = {}) => {
  const getList = vi.fn(async (_resource: string, _params: GetListParams) => ({ data: people, total: people.length }));
  const getOne = vi.fn(async (_resource: string, { id }: { id: string }) => ({ data: people.find(person => person.id === id) }));
  const update = vi.fn(async (_resource: string, { id, data, previousData }: UpdateParams<StaffRecord>) => ({ data: { ...previousData, ...data, id } }));
  const inviteStaff = vi.fn(async (body: StaffInvite) => ({
    ...buildStaff({ id: 'stf_tom', ...body, must_change_password: true }),
    temporary_password: 'Tmp-7xQ2-kLp9-Vw3r-Zt6y',
  }));
  const endSessions = vi.fn(async (_id: string) => ({ sessions_ended: 2 }));
  const resetPassword = vi.fn(async (id: string) => ({
    ...buildStaff({ id, must_change_password: true }),
    temporary_password: 'Reset-Aa11-Bb22-Cc33-Dd44',
  }));
  const methods = { getList, getOne, update, inviteStaff, endSessions, resetPassword, ...overrides };
  return { ...methods, dataProvider: providerWith(methods as never) };
};

const open = (role: Role, element: React.ReactElement, path: string, route: string, api = staffApi(), userId?: string) => ({
  ...api,
  ...renderAs({ role, element, path, route, resource: 'staff', dataProvider: api.dataProvider, userId }),
});

const showAs = (role: Role, id = 'stf_jane', api = staffApi(), userId?: string) => open(role, <StaffShow />, `/staff/${id}/show`, '/staff/:id/show', api, userId);

describe('the staff list', () => {
  it('shows admins every account with its role and state, and the way to add one', async () => {
    const { getList } = open('admin', <StaffList />, '/staff', '/staff');

    const jane = (await screen.findByText('jane@tokendesk.test')).closest('tr') as HTMLElement;
    expect(within(jane).getByText('Jane Doe')).toBeInTheDocument();
    expect(within(jane).getByText('Agent')).toBeInTheDocument();
    expect(within(jane).getByText('Active')).toBeInTheDocument();
    expect(within(screen.getByText('Olga Former').closest('tr') as HTMLElement).getByText('Disabled')).toBeInTheDocument();
    expect(within(screen.getByText('Nina New').closest('tr') as HTMLElement).getByText('Temporary password')).toBeInTheDocument();
    expect(within(screen.getByText('Olga Former').closest('tr') as HTMLElement).getByText('Team lead')).toBeInTheDocument();
    expect(getList).toHaveBeenCalledWith('staff', expect.objectContaining({ sort: { field: 'name', order: 'ASC' } }));
    expect(screen.getByRole('link', { name: 'Add staff member' })).toHaveAttribute('href', '/staff/create');
  });

  it('lets leads read the list, without a way to add anyone', async () => {
    open('lead', <StaffList />, '/staff', '/staff');
    expect(await screen.findByText('jane@tokendesk.test')).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: 'Add staff member' })).not.toBeInTheDocument();
  });

  it('is not for agents: they read why, and nothing is asked of the server', async () => {
    const { getList } = open('agent', <StaffList />, '/staff', '/staff');
    expect(await screen.findByText(/Staff accounts are for leads \(to read\) and admins \(to manage\)/)).toBeInTheDocument();
    expect(getList).not.toHaveBeenCalled();
  });
});

describe('adding a staff member', () => {
  const fillInvite = async (user: ReturnType<typeof userEvent.setup>, email = 'tom@tokendesk.test') => {
    await user.type(await screen.findByLabelText('E-mail'), email);
    await user.type(screen.getByLabelText('Name'), 'Tom Thumb');
    await user.click(screen.getByRole('radio', { name: /^Team lead/ }));
    await user.click(screen.getByRole('button', { name: 'Review…' }));
  };

  it('asks for confirmation, then shows the temporary password once, with a copy button and what to do with it', async () => {
    const user = userEvent.setup({ delay: null });
    const { inviteStaff } = open('admin', <StaffCreate />, '/staff/create', '/staff/create');

    await fillInvite(user);
    const dialog = await screen.findByRole('dialog', { name: 'Create this account?' });
    expect(within(dialog).getByText('Tom Thumb')).toBeInTheDocument();
    expect(inviteStaff).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole('button', { name: 'Create account' }));

    expect(await screen.findByText('Temporary password for Tom Thumb: shown only this once')).toBeInTheDocument();
    expect(inviteStaff).toHaveBeenCalledWith({ email: 'tom@tokendesk.test', name: 'Tom Thumb', role: 'lead' });
    expect(screen.getByLabelText('Temporary password')).toHaveValue('Tmp-7xQ2-kLp9-Vw3r-Zt6y');
    expect(screen.getByText(/Token Desk then asks them to choose their own \(at least 12/)).toBeInTheDocument();
    expect(screen.getByText(/It cannot be shown again once you leave this screen/)).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: 'Copy' }));
    expect(await screen.findByText('Copied to the clipboard.')).toBeInTheDocument();
    // user-event stands in for the system clipboard.
    await expect(navigator.clipboard.readText()).resolves.toBe('Tmp-7xQ2-kLp9-Vw3r-Zt6y');
    expect(screen.getByRole('link', { name: 'I have passed it on: open the account' })).toHaveAttribute('href', '/staff/stf_tom/show');

    // Shown once: the next onboarding starts from an empty form, and the password is gone.
    await user.click(screen.getByRole('button', { name: 'Add another person' }));
    expect(await screen.findByLabelText('E-mail')).toHaveValue('');
    expect(screen.queryByDisplayValue('Tmp-7xQ2-kLp9-Vw3r-Zt6y')).not.toBeInTheDocument();
    expect(inviteStaff).toHaveBeenCalledTimes(1);
  });

  it('checks the e-mail before asking the server', async () => {
    const user = userEvent.setup({ delay: null });
    const { inviteStaff } = open('admin', <StaffCreate />, '/staff/create', '/staff/create');

    await fillInvite(user, 'not-an-address');

    expect(await screen.findByText('Enter a valid e-mail address')).toBeInTheDocument();
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    expect(inviteStaff).not.toHaveBeenCalled();
  });

  it('puts a taken e-mail on the e-mail field', async () => {
    const user = userEvent.setup({ delay: null });
    const api = staffApi({
      inviteStaff: async () => {
        throw new HttpError('A staff account with e-mail tom@tokendesk.test already exists.', 409, {
          code: 'email_taken',
          message: 'A staff account with e-mail tom@tokendesk.test already exists.',
        });
      },
    });
    open('admin', <StaffCreate />, '/staff/create', '/staff/create', api);

    await fillInvite(user);
    await user.click(await screen.findByRole('button', { name: 'Create account' }));

    expect(await screen.findByText('A staff account with e-mail tom@tokendesk.test already exists.')).toBeInTheDocument();
    vi.mocked(console.error).mockClear();
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
    expect(screen.getByLabelText('E-mail')).toHaveAttribute('aria-invalid', 'true');
  });

  it('is for admins only', async () => {
    open('lead', <StaffCreate />, '/staff/create', '/staff/create');
    expect(await screen.findByText('Only admins add staff members.')).toBeInTheDocument();
    expect(screen.queryByLabelText('E-mail')).not.toBeInTheDocument();
  });
});

describe('an account, for admins', () => {
  it('changes the role after the dialog, sending only what changed', async () => {
    const user = userEvent.setup({ delay: null });
    const { update } = showAs('admin');

    await user.click(await screen.findByRole('button', { name: 'Edit name or role…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit Jane Doe' });
    await user.click(within(dialog).getByRole('radio', { name: /^Team lead/ }));
    expect(within(dialog).getByText('Jane Doe becomes team lead at once, from their next action. The change is audited.')).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));

    await waitFor(() => expect(update).toHaveBeenCalledWith('staff', expect.objectContaining({ id: 'stf_jane', data: { role: 'lead' } })));
    expect(await screen.findByText('Saved: Jane Doe is team lead.')).toBeInTheDocument();
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument());
  });

  it('explains the last-admin refusal in the dialog', async () => {
    const user = userEvent.setup({ delay: null });
    const api = staffApi({
      update: async () => {
        throw new HttpError('This is the last active admin: make someone else admin first.', 409, {
          code: 'last_admin',
          message: 'This is the last active admin: make someone else admin first.',
        });
      },
    });
    showAs('admin', 'stf_ari', api, 'stf_ari');

    await user.click(await screen.findByRole('button', { name: 'Edit name or role…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Edit Ari Admin' });
    await user.click(within(dialog).getByRole('radio', { name: /^Agent/ }));
    expect(within(dialog).getByText(/You are giving up your own admin rights/)).toBeInTheDocument();
    await user.click(within(dialog).getByRole('button', { name: 'Save changes' }));

    const alert = (await within(dialog).findByText('Not changed: this is the last active admin')).closest('[role="alert"]');
    expect(alert).toBeInTheDocument();
    expect(alert).toHaveTextContent('Token Desk needs at least one active admin, and this is the last one. Make someone else an admin first');
    expect(screen.getByRole('dialog', { name: 'Edit Ari Admin' })).toBeInTheDocument();
    vi.mocked(console.error).mockClear();
  });

  it('disables an account only after saying its sessions end at once', async () => {
    const user = userEvent.setup({ delay: null });
    const { update } = showAs('admin');

    await user.click(await screen.findByRole('button', { name: 'Disable…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Disable Jane Doe?' });
    expect(dialog).toHaveTextContent('Every session of Jane Doe ends at once');
    expect(update).not.toHaveBeenCalled();
    await user.click(within(dialog).getByRole('button', { name: 'Disable and sign out' }));

    await waitFor(() => expect(update).toHaveBeenCalledWith('staff', expect.objectContaining({ id: 'stf_jane', data: { disabled: true } })));
    expect(await screen.findByText('Jane Doe is disabled and signed out everywhere.')).toBeInTheDocument();
  });

  it('ends sessions and resets a password, showing the new temporary password once', async () => {
    const user = userEvent.setup({ delay: null });
    const { endSessions, resetPassword } = showAs('admin');

    await user.click(await screen.findByRole('button', { name: 'End sessions…' }));
    await user.click(within(await screen.findByRole('dialog', { name: 'End every session of Jane Doe?' })).getByRole('button', { name: 'End sessions' }));
    await waitFor(() => expect(endSessions).toHaveBeenCalledWith('stf_jane'));
    expect(await screen.findByText('Ended 2 sessions of Jane Doe.')).toBeInTheDocument();

    await user.click(await screen.findByRole('button', { name: 'Reset password…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reset the password of Jane Doe?' });
    await user.click(within(dialog).getByRole('button', { name: 'Reset password' }));
    await waitFor(() => expect(resetPassword).toHaveBeenCalledWith('stf_jane'));
    expect(await within(dialog).findByLabelText('Temporary password')).toHaveValue('Reset-Aa11-Bb22-Cc33-Dd44');
    await user.click(within(dialog).getByRole('button', { name: 'Done' }));
    await waitFor(() => expect(screen.queryByDisplayValue('Reset-Aa11-Bb22-Cc33-Dd44')).not.toBeInTheDocument());
  });
});

describe('an account, for leads', () => {
  it('is read-only', async () => {
    showAs('lead');
    expect(await screen.findByText('jane@tokendesk.test')).toBeInTheDocument();
    expect(screen.getByText('Only admins change staff accounts.')).toBeInTheDocument();
    for (const action of ['Edit name or role…', 'Disable…', 'End sessions…', 'Reset password…']) {
      expect(screen.queryByRole('button', { name: action })).not.toBeInTheDocument();
    }
  });
});
