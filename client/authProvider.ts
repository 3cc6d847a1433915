import type { AuthProvider, UserIdentity } from 'react-admin';
import { sessionInfoSchema, type LoginRequest, type SessionInfo } from '../shared/auth.ts';
import type { Role } from '../shared/roles.ts';
import { fetchApi } from './fetchApi.ts';
import { currentSession, forgetSession, rememberSession } from './session.ts';

export type StaffIdentity = UserIdentity & { role: Role };

let restoring: Promise<SessionInfo> | null = null;

/**
 * The session held in memory, or the one the cookie still carries (`GET /api/auth/me`, after a
 * reload). Calls made while a restore is under way share it, so a cold start asks once.
 * Rejects with the server's 401 when there is no live session.
 */
const loadSession = (): Promise<SessionInfo> => {
  const known = currentSession();
  if (known) return Promise.resolve(known);
  restoring ??= fetchApi('/api/auth/me')
    .then(({ json }) => {
      const session = sessionInfoSchema.parse(json);
      rememberSession(session);
      return session;
    })
    .finally(() => {
      restoring = null;
    });
  return restoring;
};

const statusOf = (error: unknown): number | undefined =>
  typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
    ? error.status
    : undefined;

export const authProvider: AuthProvider = {
  async login({ email, password }: LoginRequest) {
    const { json } = await fetchApi('/api/auth/login', {
      method: 'POST',
      body: JSON.stringify({ email, password }),
    });
    rememberSession(sessionInfoSchema.parse(json));
  },

  async logout() {
    // Without a session in memory there is no CSRF token to end one with, and after a failed
    // checkAuth there is no live session to end anyway.
    if (!currentSession()) return;
    try {
      await fetchApi('/api/auth/logout', { method: 'POST' });
    } catch {
      // Signing out must still leave the console: react-admin keeps the user on the page if
      // this rejects. Should the session have survived (network error), the login page's
      // checkAuth finds it and shows the user is still signed in.
    } finally {
      forgetSession();
    }
  },

  /** Trusts the session in memory; an expired one shows up as a 401 from the next API call. */
  async checkAuth() {
    await loadSession();
  },

  /**
   * 401 ends the session in the console (react-admin logs out and shows the server's message).
   * 403 resolves on purpose: the user is still signed in, merely not allowed (or the CSRF check
   * failed). Rejecting would make react-admin swallow the error and answer the call with empty
   * data — a refused approval would look like a success — so the HttpError goes on to the
   * caller, which shows the server's message.
   */
  async checkError(error: unknown) {
    if (statusOf(error) === 401) throw error;
  },

  async getIdentity(): Promise<StaffIdentity> {
    const { user } = await loadSession();
    return { id: user.id, fullName: user.name, role: user.role };
  },

  async getPermissions(): Promise<Role> {
    const { user } = await loadSession();
    return user.role;
  },
};
