import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { fetchApi } from '../../client/fetchApi.ts';
import { csrfToken, forgetSession, rememberSession } from '../../client/session.ts';
import { jsonResponse, leadSession, sentRequest, stubFetch } from './fetchStub.ts';

const staleCsrf = () => jsonResponse({ code: 'csrf_failed', message: 'The security token is out of date. Reload the page.' }, 403);
const renewedSession = { ...leadSession, csrf_token: 'csrf-token-renewed' };

beforeEach(() => rememberSession(leadSession));
afterEach(() => {
  forgetSession();
  vi.unstubAllGlobals();
});

describe('fetchApi on a stale CSRF token', () => {
  it('fetches the current token from /api/auth/me and sends the request again with it', async () => {
    let posts = 0;
    const fetchMock = stubFetch((url, init) => {
      if (url === '/api/auth/me') return jsonResponse(renewedSession);
      posts += 1;
      return posts === 1 ? staleCsrf() : jsonResponse({ id: 'crd_1', status: 'applied' }, 201);
    });

    const { json, status } = await fetchApi('/api/credits', { method: 'POST', body: JSON.stringify({ amount: 600 }) });

    expect(status).toBe(201);
    expect(json).toEqual({ id: 'crd_1', status: 'applied' });
    expect(fetchMock).toHaveBeenCalledTimes(3);
    expect(sentRequest(fetchMock, 0).headers.get('X-CSRF-Token')).toBe('csrf-token-from-server');
    expect(sentRequest(fetchMock, 1).url.pathname).toBe('/api/auth/me');
    expect(sentRequest(fetchMock, 1).method).toBe('GET');
    const retry = sentRequest(fetchMock, 2);
    expect(retry.url.pathname).toBe('/api/credits');
    expect(retry.method).toBe('POST');
    expect(retry.headers.get('X-CSRF-Token')).toBe('csrf-token-renewed');
    expect(retry.json).toEqual({ amount: 600 });
    expect(csrfToken()).toBe('csrf-token-renewed');
  });

  it('retries once only: a second refusal reaches the caller', async () => {
    const fetchMock = stubFetch(url => (url === '/api/auth/me' ? jsonResponse(renewedSession) : staleCsrf()));

    await expect(fetchApi('/api/credits/crd_1/void', { method: 'POST', body: '{}' })).rejects.toMatchObject({
      status: 403,
      body: { code: 'csrf_failed' },
    });
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });

  it('passes on the 401 when the session itself is gone', async () => {
    const fetchMock = stubFetch(url =>
      url === '/api/auth/me' ? jsonResponse({ code: 'unauthenticated', message: 'Sign in to continue.' }, 401) : staleCsrf(),
    );

    await expect(fetchApi('/api/credits', { method: 'POST', body: '{}' })).rejects.toMatchObject({ status: 401 });
    expect(fetchMock).toHaveBeenCalledTimes(2);
  });

  it('does not retry any other 403', async () => {
    const fetchMock = stubFetch(() => jsonResponse({ code: 'forbidden', message: 'Only leads may approve credits.' }, 403));

    await expect(fetchApi('/api/credits/crd_1/approve', { method: 'POST', body: '{}' })).rejects.toMatchObject({
      status: 403,
      message: 'Only leads may approve credits.',
    });
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it('refreshes once for requests refused at the same moment', async () => {
    const refused = new Set<string>();
    const fetchMock = stubFetch((url, init) => {
      if (url === '/api/auth/me') return jsonResponse(renewedSession);
      const token = new Headers(init.headers).get('X-CSRF-Token');
      if (token === 'csrf-token-from-server') {
        refused.add(url);
        return staleCsrf();
      }
      return jsonResponse({ ok: true });
    });

    await Promise.all([
      fetchApi('/api/credits/crd_1/reject', { method: 'POST', body: '{}' }),
      fetchApi('/api/credits/crd_2/reject', { method: 'POST', body: '{}' }),
    ]);

    expect(refused.size).toBe(2);
    expect(fetchMock.mock.calls.filter(([url]) => url === '/api/auth/me')).toHaveLength(1);
  });
});

describe('fetchApi after signing out', () => {
  it('refuses API calls without asking the server until the next sign-in, but still lets the sign-in through', async () => {
    const fetchMock = stubFetch(url => (url === '/api/auth/me' ? jsonResponse(leadSession) : jsonResponse({ rows: [] })));
    forgetSession();

    await expect(fetchApi('/api/reports/decisions?since=2026-12-01T00:00:00Z')).rejects.toMatchObject({ name: 'AbortError' });
    expect(fetchMock).not.toHaveBeenCalled();

    await fetchApi('/api/auth/me');
    expect(sentRequest(fetchMock, 0).url.pathname).toBe('/api/auth/me');

    rememberSession(leadSession);
    await fetchApi('/api/reports/decisions?since=2026-12-01T00:00:00Z');
    expect(sentRequest(fetchMock, 1).url.pathname).toBe('/api/reports/decisions');
  });
});
