import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { memoryStore } from 'react-admin';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { App } from '../../client/App.tsx';
import { forgetSession } from '../../client/session.ts';
import { jsonResponse, leadSession, sentRequest, stubFetch } from './fetchStub.ts';
import { quietHomeReports } from './homeFixtures.ts';

const noSession = () => jsonResponse({ code: 'unauthenticated', message: 'Sign in to continue.' }, 401);

/** A signed-in session's answer to a list or report the shell asks for (menu badges, the home's panels): empty. */
const emptyList = (url: string): Response | undefined => {
  const { pathname, searchParams } = new URL(url, 'http://desk.test');
  if (pathname in quietHomeReports) return jsonResponse(quietHomeReports[pathname]);
  return searchParams.has('range') ? jsonResponse([], 200, { 'Content-Range': `${pathname.slice('/api/'.length)} */0` }) : undefined;
};

beforeEach(() => {
  forgetSession();
  window.location.hash = '#/';
});
afterEach(() => vi.unstubAllGlobals());

describe('the console shell', () => {
  it('shows a returning user the app bar with their name and role, and their home', async () => {
    stubFetch(url => (url === '/api/auth/me' ? jsonResponse(leadSession) : (emptyList(url) ?? noSession())));

    render(<App store={memoryStore()} />);

    const appBar = await screen.findByRole('banner');
    expect(within(appBar).getByText('Token Desk')).toBeInTheDocument();
    expect(await within(appBar).findByText('Ada Lovelace')).toBeInTheDocument();
    expect(within(appBar).getByText('lead')).toBeInTheDocument();
    expect(await screen.findByRole('heading', { name: 'Welcome, Ada Lovelace' })).toBeInTheDocument();
    expect(await screen.findByRole('heading', { name: 'Your credits' })).toBeInTheDocument();
    expect(screen.queryByText(/Credits are not delivered to the studio/)).not.toBeInTheDocument();
  });

  it('tells every screen, for every role, that credits are not delivered while delivery to the studio is not configured', async () => {
    const user = userEvent.setup();
    const demo = { ...leadSession, user: { ...leadSession.user, role: 'agent' as const }, studio_delivery: { push_enabled: false, feed_enabled: false } };
    stubFetch(url => (url === '/api/auth/me' ? jsonResponse(demo) : (emptyList(url) ?? noSession())));

    render(<App store={memoryStore()} />);

    const banner = await screen.findByText(/^Credits are not delivered to the studio: delivery is not configured/);
    expect(banner.closest('[role="status"]')).not.toBeNull();
    await user.click(await screen.findByRole('menuitem', { name: 'Credits' }));
    expect(await screen.findByRole('heading', { name: 'Credits' })).toBeInTheDocument();
    expect(screen.getByText(/^Credits are not delivered to the studio: delivery is not configured/)).toBeInTheDocument();
  });

  it('sends a visitor without a session to sign in, then opens the console', async () => {
    const user = userEvent.setup();
    let signedIn = false;
    const fetchMock = stubFetch((url, init) => {
      if (url === '/api/auth/login' && init.method === 'POST') {
        signedIn = true;
        return jsonResponse(leadSession);
      }
      return (signedIn && emptyList(url)) || noSession();
    });

    render(<App store={memoryStore()} />);

    await user.type(await screen.findByLabelText(/^email/i), 'ada@example.com');
    await user.type(screen.getByLabelText(/^password/i), 'correct horse{Enter}');

    expect(await screen.findByRole('heading', { name: 'Welcome, Ada Lovelace' })).toBeInTheDocument();
    const login = fetchMock.mock.calls.findIndex(([url]) => url === '/api/auth/login');
    expect(sentRequest(fetchMock, login).json).toEqual({ email: 'ada@example.com', password: 'correct horse' });
    expect(window.location.hash).toBe('#/');
  });

  it('signs out through the user menu, ending the session on the server', async () => {
    const user = userEvent.setup();
    const fetchMock = stubFetch((url, init) => {
      if (url === '/api/auth/me') return jsonResponse(leadSession);
      if (url === '/api/auth/logout' && init.method === 'POST') return new Response(null, { status: 204 });
      return emptyList(url) ?? noSession();
    });
    render(<App store={memoryStore()} />);

    await screen.findByRole('heading', { name: 'Welcome, Ada Lovelace' });
    await user.click(screen.getByRole('button', { name: 'Ada Lovelace: account menu' }));
    await user.click(await screen.findByRole('menuitem', { name: 'Logout' }));

    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    const logout = fetchMock.mock.calls.findIndex(([url]) => url === '/api/auth/logout');
    expect(sentRequest(fetchMock, logout).headers.get('X-CSRF-Token')).toBe('csrf-token-from-server');
  });
});
