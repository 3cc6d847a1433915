import { render, screen } from '@testing-library/react';
import { AdminContext, HttpError, memoryStore, testDataProvider, type AuthProvider } from 'react-admin';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LoginPage } from '../../client/LoginPage.tsx';
import { ssoErrorMessages } from '../../shared/singleSignOn.ts';
import { jsonResponse, stubFetch } from './fetchStub.ts';

const signedOut: AuthProvider = {
  login: vi.fn(async () => undefined),
  logout: vi.fn(async () => undefined),
  checkAuth: vi.fn(async () => {
    throw new HttpError('Sign in to continue.', 401);
  }),
  checkError: vi.fn(async () => undefined),
  getPermissions: vi.fn(async () => undefined),
};

/** Opens the login page at `hash` with the server offering `methods`. */
const openLoginPage = (methods: { password: boolean; sso: boolean }, hash = '#/login') => {
  window.location.hash = hash;
  const fetchMock = stubFetch(url => (url === '/api/auth/methods' ? jsonResponse(methods) : jsonResponse({ code: 'not_found', message: 'Not found.' }, 404)));
  render(
    <AdminContext authProvider={signedOut} dataProvider={testDataProvider()} store={memoryStore()}>
      <LoginPage />
    </AdminContext>,
  );
  return fetchMock;
};

afterEach(() => vi.unstubAllGlobals());

describe('LoginPage with single sign-on', () => {
  it('offers single sign-on beside the password form as a plain link to the start route', async () => {
    openLoginPage({ password: true, sso: true });

    const sso = await screen.findByRole('link', { name: 'Sign in with single sign-on' });
    expect(sso).toHaveAttribute('href', '/api/auth/oidc/start');
    expect(screen.getByLabelText(/^email/i)).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('shows only single sign-on when password sign-in is off', async () => {
    openLoginPage({ password: false, sso: true });

    await screen.findByRole('link', { name: 'Sign in with single sign-on' });
    expect(screen.queryByLabelText(/^email/i)).not.toBeInTheDocument();
    expect(screen.queryByLabelText(/^password/i)).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Sign in' })).not.toBeInTheDocument();
  });

  it('offers no single sign-on when the server has none', async () => {
    const fetchMock = openLoginPage({ password: true, sso: false });

    await vi.waitFor(() => expect(fetchMock).toHaveBeenCalled());
    expect(screen.getByLabelText(/^email/i)).toBeInTheDocument();
    expect(screen.queryByRole('link', { name: /single sign-on/i })).not.toBeInTheDocument();
  });

  it('says why single sign-on sent the browser back, in its own words', async () => {
    openLoginPage({ password: true, sso: true }, '#/login?sso_error=not_staff');
    expect(await screen.findByRole('alert')).toHaveTextContent(ssoErrorMessages.not_staff);
  });

  it('shows a generic message, not the URL, for an unknown reason', async () => {
    openLoginPage({ password: true, sso: true }, '#/login?sso_error=Call%20555-0100%20to%20unlock');
    const alert = await screen.findByRole('alert');
    expect(alert).toHaveTextContent(ssoErrorMessages.failed);
    expect(alert).not.toHaveTextContent('555');
  });
});
