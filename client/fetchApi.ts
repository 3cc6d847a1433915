import { fetchUtils } from 'react-admin';
import { CSRF_HEADER } from '../shared/auth.ts';
import { csrfToken } from './session.ts';

const methodsWithoutCsrf = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * react-admin's `fetchJson` plus what every Token Desk API call needs: the session cookie,
 * a JSON answer, and the CSRF token on anything that writes. A non-2xx answer rejects with
 * react-admin's `HttpError`, whose `body` is the API error `{code, message, errors}` — that
 * is how server-side field errors reach form inputs.
 */
export const fetchApi = (url: string, options: fetchUtils.Options = {}) => {
  const headers = new Headers(options.headers);
  headers.set('Accept', 'application/json');
  const method = (options.method ?? 'GET').toUpperCase();
  const token = csrfToken();
  if (token && !methodsWithoutCsrf.has(method)) {
    headers.set(CSRF_HEADER, token);
  }
  return fetchUtils.fetchJson(url, { ...options, headers, credentials: 'same-origin' });
};
