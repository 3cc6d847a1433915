import { fetchUtils, HttpError } from 'react-admin';
import { CSRF_HEADER, sessionInfoSchema } from '../shared/auth.ts';
import { csrfToken, hasSignedOut, rememberSession } from './session.ts';

const methodsWithoutCsrf = new Set(['GET', 'HEAD', 'OPTIONS']);

const send = (url: string, options: fetchUtils.Options) => {
  const headers = new Headers(options.headers);
  headers.set('Accept', 'application/json');
  const method = (options.method ?? 'GET').toUpperCase();
  const token = csrfToken();
  if (token && !methodsWithoutCsrf.has(method)) {
    headers.set(CSRF_HEADER, token);
  }
  return fetchUtils.fetchJson(url, { ...options, headers, credentials: 'same-origin' });
};

const isStaleCsrf = (error: unknown): boolean =>
  error instanceof HttpError &&
  error.status === 403 &&
  typeof error.body === 'object' &&
  error.body !== null &&
  (error.body as { code?: unknown }).code === 'csrf_failed';

let refreshing: Promise<void> | null = null;

/**
 * Asks the server for the session's current CSRF token. Requests refused at the same moment share
 * one refresh. A 401 here (the session is gone) rejects, and that 401 reaches the caller.
 */
const refreshSession = (): Promise<void> => {
  refreshing ??= send('/api/auth/me', {})
    .then(({ json }) => rememberSession(sessionInfoSchema.parse(json)))
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
};

/**
 * react-admin's `fetchJson` plus what every Token Desk API call needs: the session cookie,
 * a JSON answer, and the CSRF token on anything that writes. A non-2xx answer rejects with
 * react-admin's `HttpError`, whose `body` is the API error `{code, message, errors}` — that
 * is how server-side field errors reach form inputs.
 *
 * A `403 csrf_failed` means the token in memory is stale (the agent signed in again in another
 * tab, which rotated the session): the token is fetched again from `GET /api/auth/me` and the
 * request sent once more — once only, so a server that keeps refusing cannot loop us.
 */
export const fetchApi = async (url: string, options: fetchUtils.Options = {}) => {
  // After signing out, the lists of the page being left refetch once more; the server would refuse
  // them (401), so they are not sent as the person who left. An abort is what they are.
  if (hasSignedOut() && !url.startsWith('/api/auth/')) {
    throw new DOMException('Signed out: the request was not sent.', 'AbortError');
  }
  try {
    return await send(url, options);
  } catch (error) {
    if (!isStaleCsrf(error)) throw error;
    await refreshSession();
    return send(url, options);
  }
};
