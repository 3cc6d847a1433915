import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { HttpError } from 'react-admin';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { validatePasswordForm } from '../../client/account/accountModel.ts';
import { ChangePasswordPage } from '../../client/account/ChangePasswordPage.tsx';
import { PasswordChangeGate } from '../../client/account/PasswordChangeGate.tsx';
import { authProvider, passwordChangeRequired } from '../../client/authProvider.ts';
import { forgetSession, rememberSession } from '../../client/session.ts';
import type { Role } from '../../shared/roles.ts';
import type { PasswordChange } from '../../shared/staff.ts';
import { buildStaff, providerWith, renderAs } from './dashboardHarness.tsx';
import { jsonResponse, leadSession, stubFetch } from './fetchStub.ts';

const newcomer = { ...leadSession, user: { ...leadSession.user, role: 'agent' as const, must_change_password: true } };

beforeEach(() => forgetSession());
afterEach(() => {
  forgetSession();
  vi.unstubAllGlobals();
});

const openPage = (changePassword: (body: PasswordChange) => Promise<unknown> = async () => buildStaff({ must_change_password: false })) => {
  const change = vi.fn(changePassword);
  const view = renderAs({ role: 'agent', element: <ChangePasswordPage />, path: '/account/password', dataProvider: providerWith({ changePassword: change } as never) });
  return { ...view, changePassword: change };
};

const fill = async (user: ReturnType<typeof userEvent.setup>, current: string, next: string, repeat = next) => {
  await user.type(await screen.findByLabelText(/^(Temporary|Current) password$/), current);
  await user.type(screen.getByLabelText('New password'), next);
  await user.type(screen.getByLabelText('Repeat the new password'), repeat);
  await user.click(screen.getByRole('button', { name: 'Change password' }));
};

describe('the change-password form', () => {
  it('checks length, difference and the repeat before asking the server', () => {
    expect(validatePasswordForm({ current_password: '', new_password: 'short', repeat_password: 'short' })).toEqual({
      current_password: 'Enter your current password',
      new_password: 'Use at least 12 characters',
    });
    expect(validatePasswordForm({ current_password: 'same-old-password', new_password: 'same-old-password', repeat_password: 'same-old-password' })).toEqual({
      new_password: 'Choose a password other than your current one',
    });
    expect(validatePasswordForm({ current_password: 'temporary', new_password: 'correct horse battery', repeat_password: 'correct horse batery' })).toEqual({
      repeat_password: 'The two new passwords differ: type the same one twice',
    });
    expect(validatePasswordForm({ current_password: 'temporary', new_password: 'correct horse battery', repeat_password: 'correct horse battery' })).toEqual({});
  });

  it('shows the rules on the fields and sends nothing until they hold', async () => {
    const user = userEvent.setup({ delay: null });
    const { changePassword } = openPage();

    await fill(user, 'temporary-pass', 'too-short', 'too-short');

    expect(await screen.findByText('Use at least 12 characters')).toBeInTheDocument();
    expect(changePassword).not.toHaveBeenCalled();
  });

  it('a newcomer chooses a password, then goes to the console', async () => {
    const user = userEvent.setup({ delay: null });
    rememberSession(newcomer);
    const { changePassword, location } = openPage();

    expect(await screen.findByRole('heading', { name: 'Choose your password' })).toBeInTheDocument();
    expect(screen.getByText(/Your account has a temporary password/)).toBeInTheDocument();
    await fill(user, 'Tmp-7xQ2-kLp9', 'correct horse battery staple');

    await waitFor(() => expect(location.current?.pathname).toBe('/'));
    expect(changePassword).toHaveBeenCalledWith({ current_password: 'Tmp-7xQ2-kLp9', new_password: 'correct horse battery staple' });
    expect(passwordChangeRequired()).toBe(false);
    expect(await screen.findByText('Your password is changed. Any other session of yours was signed out.')).toBeInTheDocument();
  });

  it('puts the server’s field errors on the fields', async () => {
    const user = userEvent.setup({ delay: null });
    rememberSession(leadSession);
    const { location } = openPage(async () => {
      throw new HttpError('Some fields are not valid.', 400, {
        code: 'validation_failed',
        message: 'Some fields are not valid.',
        errors: { current_password: 'is not your current password' },
      });
    });

    expect(await screen.findByRole('heading', { name: 'Change your password' })).toBeInTheDocument();
    await fill(user, 'a wrong guess', 'correct horse battery staple');

    expect(await screen.findByText('Is not your current password')).toBeInTheDocument();
    vi.mocked(console.error).mockClear();
    expect(screen.getByLabelText('Current password')).toHaveAttribute('aria-invalid', 'true');
    expect(location.current?.pathname).toBe('/account/password');
  });
});

describe('a temporary password keeps its owner on the change-password page', () => {
  /** The layout's gate around a page, on /customers, for someone of `role`. */
  const renderGate = (role: Role) =>
    renderAs({
      role,
      path: '/customers',
      dataProvider: providerWith({}),
      element: (
        <PasswordChangeGate>
          <p>the console</p>
        </PasswordChangeGate>
      ),
    });

  it('sign-in sends a newcomer there', async () => {
    stubFetch(() => jsonResponse(newcomer));
    await expect(authProvider.login({ email: 'new@example.com', password: 'Tmp-7xQ2-kLp9' })).resolves.toEqual({ redirectTo: '/account/password' });
    expect(passwordChangeRequired()).toBe(true);
  });

  it('sign-in of anyone else goes where react-admin sends them', async () => {
    stubFetch(() => jsonResponse(leadSession));
    await expect(authProvider.login({ email: 'ada@example.com', password: 'correct horse' })).resolves.toBeUndefined();
    expect(passwordChangeRequired()).toBe(false);
  });

  it('a 403 password_change_required sends the person there, still signed in', async () => {
    rememberSession(leadSession);
    const refused = new HttpError('Choose your own password first.', 403, { code: 'password_change_required', message: 'Choose your own password first.' });

    await expect(authProvider.checkError(refused)).rejects.toEqual({ logoutUser: false, redirectTo: '/account/password', message: false });
    expect(passwordChangeRequired()).toBe(true);
    await expect(authProvider.checkError(new HttpError('Forbidden', 403, { code: 'forbidden', message: 'Forbidden' }))).resolves.toBeUndefined();
  });

  it('the layout gate sends them there from any page', async () => {
    rememberSession(newcomer);
    const { location } = renderGate('agent');
    await waitFor(() => expect(location.current?.pathname).toBe('/account/password'));
  });

  it('the gate lets everyone else through', async () => {
    rememberSession(leadSession);
    renderGate('lead');
    expect(await screen.findByText('the console')).toBeInTheDocument();
  });
});
