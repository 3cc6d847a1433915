import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { AdminContext, HttpError, memoryStore, testDataProvider, type AuthProvider } from 'react-admin';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoginPage } from '../../client/LoginPage.tsx';
import { jsonResponse, stubFetch } from './fetchStub.ts';

/** An auth provider with nobody signed in; `login` answers as the test says. */
const signedOutAuthProvider = (login: AuthProvider['login']) => ({
  login: vi.fn(login),
  logout: vi.fn(async () => undefined),
  checkAuth: vi.fn(async () => {
    throw new HttpError('Sign in to continue.', 401);
  }),
  checkError: vi.fn(async () => undefined),
  getPermissions: vi.fn(async () => undefined),
});

const renderLoginPage = (authProvider: AuthProvider) =>
  render(
    <AdminContext authProvider={authProvider} dataProvider={testDataProvider()} store={memoryStore()}>
      <LoginPage />
    </AdminContext>,
  );

beforeEach(() => {
  window.location.hash = '#/login';
  // The page asks which ways in the server offers; these tests are about the password form.
  stubFetch(() => jsonResponse({ password: true, sso: false }));
});
afterEach(() => vi.unstubAllGlobals());

describe('LoginPage', () => {
  it('offers labelled e-mail and password fields, the first one focused', async () => {
    renderLoginPage(signedOutAuthProvider(async () => undefined));

    expect(screen.getByRole('heading', { name: 'Token Desk' })).toBeInTheDocument();
    const email = screen.getByLabelText(/^email/i);
    expect(email).toHaveFocus();
    expect(email).toHaveAttribute('autocomplete', 'username');
    expect(screen.getByLabelText(/^password/i)).toHaveAttribute('type', 'password');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });

  it('signs in with what was typed when Enter is pressed, then opens the console', async () => {
    const user = userEvent.setup();
    let finishLogin = () => {};
    const authProvider = signedOutAuthProvider(() => new Promise<void>(resolve => (finishLogin = resolve)));
    renderLoginPage(authProvider);

    await user.type(screen.getByLabelText(/^email/i), ' ada@example.com ');
    await user.type(screen.getByLabelText(/^password/i), 'correct horse{Enter}');

    expect(authProvider.login).toHaveBeenCalledTimes(1);
    expect(authProvider.login).toHaveBeenCalledWith({ email: 'ada@example.com', password: 'correct horse' });
    expect(screen.getByRole('button', { name: 'Signing in…' })).toBeDisabled();

    await act(async () => finishLogin());
    await waitFor(() => expect(window.location.hash).toBe('#/'));
  });

  it("shows the server's message when the sign-in is refused, and lets the user try again", async () => {
    const user = userEvent.setup();
    const authProvider = signedOutAuthProvider(async () => {
      throw new HttpError('Too many sign-in attempts. Try again in 5 minutes.', 429, {
        code: 'too_many_attempts',
        message: 'Too many sign-in attempts. Try again in 5 minutes.',
      });
    });
    renderLoginPage(authProvider);

    await user.type(screen.getByLabelText(/^email/i), 'ada@example.com');
    await user.type(screen.getByLabelText(/^password/i), 'guess{Enter}');

    expect(await screen.findByRole('alert')).toHaveTextContent('Too many sign-in attempts. Try again in 5 minutes.');
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  });

  it('says so when the server cannot be reached', async () => {
    const user = userEvent.setup();
    renderLoginPage(
      signedOutAuthProvider(async () => {
        throw new TypeError('Failed to fetch');
      }),
    );

    await user.type(screen.getByLabelText(/^email/i), 'ada@example.com');
    await user.type(screen.getByLabelText(/^password/i), 'secret{Enter}');

    expect(await screen.findByRole('alert')).toHaveTextContent('Could not reach Token Desk. Check your connection and try again.');
  });

  it('shows field errors the server names beside the fields', async () => {
    const user = userEvent.setup();
    renderLoginPage(
      signedOutAuthProvider(async () => {
        throw new HttpError('Check the highlighted fields.', 400, {
          code: 'validation_failed',
          message: 'Check the highlighted fields.',
          errors: { email: 'No staff account uses this address' },
        });
      }),
    );

    await user.type(screen.getByLabelText(/^email/i), 'ada@example.com');
    await user.type(screen.getByLabelText(/^password/i), 'secret{Enter}');

    expect(await screen.findByLabelText(/^email/i)).toHaveAccessibleDescription('No staff account uses this address');
  });

  it('asks for missing fields without calling the server', async () => {
    const user = userEvent.setup();
    const authProvider = signedOutAuthProvider(async () => undefined);
    renderLoginPage(authProvider);

    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(screen.getByLabelText(/^email/i)).toHaveAccessibleDescription('Enter your e-mail address');
    expect(screen.getByLabelText(/^password/i)).toHaveAccessibleDescription('Enter your password');
    expect(authProvider.login).not.toHaveBeenCalled();
  });

  it('sends a visitor who still has a live session to the console', async () => {
    const authProvider = { ...signedOutAuthProvider(async () => undefined), checkAuth: vi.fn(async () => undefined) };
    renderLoginPage(authProvider);

    await waitFor(() => expect(window.location.hash).toBe('#/'));
  });
});
