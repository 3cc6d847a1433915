import type { SessionInfo } from '../shared/auth.ts';

/**
 * The signed-in session as the server last described it. Kept in memory only: the session
 * cookie is HttpOnly, and the CSRF token must not outlive the page in storage, so after a
 * reload the auth provider asks `GET /api/auth/me` for both again.
 */
let session: SessionInfo | null = null;
/**
 * Set once this page has signed out (or learnt its session ended), until the next sign-in. Not
 * set on a page just loaded: its session is not known yet, and its first calls may still use it.
 */
let signedOut = false;

export const currentSession = (): SessionInfo | null => session;

export const rememberSession = (info: SessionInfo): void => {
  session = info;
  signedOut = false;
};

export const forgetSession = (): void => {
  session = null;
  signedOut = true;
};

/** Whether this page has signed out: a screen still on its way out must not call the API as the person who left. */
export const hasSignedOut = (): boolean => signedOut;

/** The token every non-GET request must carry in the `X-CSRF-Token` header. */
export const csrfToken = (): string | undefined => session?.csrf_token;
