import { HttpError } from 'react-admin';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authProvider } from '../../client/authProvider.ts';
import { csrfToken, forgetSession, rememberSession } from '../../client/session.ts';
import { jsonResponse, leadSession, sentRequest, stubFetch } from './fetchStub.ts';

beforeEach(() => forgetSession());
afterEach(() => vi.unstubAllGlobals());

describe('login', () => {
  it('posts the credentials as JSON and keeps the CSRF token in memory', async () => {
    const fetchMock = stubFetch(() => jsonResponse(leadSession));

    await authProvider.login({ email: 'ada@example.com', password: 'correct horse' });

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const sent = sentRequest(fetchMock);
    expect(sent.url.pathname).toBe('/api/auth/login');
    expect(sent.url.search).toBe('');
    expect(sent.method).toBe('POST');
    expect(sent.credentials).toBe('same-origin');
    expect(sent.headers.get('Content-Type')).toBe('application/json');
    expect(sent.headers.get('Accept')).toBe('application/json');
    expect(sent.json).toEqual({ email: 'ada@example.com', password: 'correct horse' });
    expect(csrfToken()).toBe('csrf-token-from-server');
  });

  it.each([
    [401, 'bad_credentials', 'Wrong e-mail or password.'],
    [429, 'too_many_attempts', 'Too many sign-in attempts. Try again in 5 minutes.'],
  ])('rejects with the server message on %i and stays signed out', async (status, code, message) => {
    stubFetch(() => jsonResponse({ code, message }, status));

    await expect(authProvider.login({ email: 'ada@example.com', password: 'wrong' })).rejects.toMatchObject({
      status,
      message,
    });
    expect(csrfToken()).toBeUndefined();
  });
});

describe('checkAuth, getIdentity and getPermissions', () => {
  it('restore the session from GET /api/auth/me after a reload, asking once', async () => {
    const fetchMock = stubFetch(() => jsonResponse(leadSession));

    const [identity, role] = await Promise.all([
      authProvider.getIdentity!(),
      authProvider.getPermissions!({}),
      authProvider.checkAuth({}),
    ]);
    await authProvider.checkAuth({});

    expect(fetchMock).toHaveBeenCalledTimes(1);
    const sent = sentRequest(fetchMock);
    expect(sent.url.pathname).toBe('/api/auth/me');
    expect(sent.method).toBe('GET');
    expect(sent.credentials).toBe('same-origin');
    expect(identity).toEqual({ id: 'stf_ada', fullName: 'Ada Lovelace', role: 'lead', studio_delivery: { push_enabled: true, feed_enabled: false }, helpdesk_ticket_url: null });
    expect(role).toBe('lead');
    expect(csrfToken()).toBe('csrf-token-from-server');
  });

  it('checkAuth rejects when the server has no live session', async () => {
    stubFetch(() => jsonResponse({ code: 'unauthenticated', message: 'Sign in to continue.' }, 401));

    await expect(authProvider.checkAuth({})).rejects.toMatchObject({ status: 401, message: 'Sign in to continue.' });
    expect(csrfToken()).toBeUndefined();
  });
});

describe('logout', () => {
  it('ends the session with the CSRF header and forgets it', async () => {
    rememberSession(leadSession);
    const fetchMock = stubFetch(() => new Response(null, { status: 204 }));

    await authProvider.logout({});

    const sent = sentRequest(fetchMock);
    expect(sent.url.pathname).toBe('/api/auth/logout');
    expect(sent.method).toBe('POST');
    expect(sent.headers.get('X-CSRF-Token')).toBe('csrf-token-from-server');
    expect(csrfToken()).toBeUndefined();
  });

  it('still signs out of the console when the server cannot be told', async () => {
    rememberSession(leadSession);
    stubFetch(() => jsonResponse({ code: 'unauthenticated', message: 'Sign in to continue.' }, 401));

    await expect(authProvider.logout({})).resolves.toBeUndefined();
    expect(csrfToken()).toBeUndefined();
  });

  it('calls nothing when no session is known', async () => {
    const fetchMock = stubFetch(() => new Response(null, { status: 204 }));

    await authProvider.logout({});

    expect(fetchMock).not.toHaveBeenCalled();
  });
});

describe('checkError', () => {
  it('rejects on 401 so react-admin signs the user out, passing on the server message', async () => {
    const expired = new HttpError('Your session has expired.', 401, { code: 'unauthenticated', message: 'Your session has expired.' });

    await expect(authProvider.checkError(expired)).rejects.toBe(expired);
  });

  it.each([403, 404, 409, 500])('resolves on %i: the user stays signed in and the caller shows the error', async status => {
    await expect(authProvider.checkError(new HttpError('Not allowed', status, {}))).resolves.toBeUndefined();
  });
});
