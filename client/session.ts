import type { SessionInfo } from '../shared/auth.ts';

/**
 * The signed-in session as the server last described it. Kept in memory only: the session
 * cookie is HttpOnly, and the CSRF token must not outlive the page in storage, so after a
 * reload the auth provider asks `GET /api/auth/me` for both again.
 */
let session: SessionInfo | null = null;

export const currentSession = (): SessionInfo | null => session;

export const rememberSession = (info: SessionInfo): void => {
  session = info;
};

export const forgetSession = (): void => {
  session = null;
};

/** The token every non-GET request must carry in the `X-CSRF-Token` header. */
export const csrfToken = (): string | undefined => session?.csrf_token;
