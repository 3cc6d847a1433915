import type { AuthProvider, UserIdentity } from 'react-admin';
import { sessionInfoSchema, type LoginRequest, type SessionInfo } from '../shared/auth.ts';
import type { StudioDeliverySettings } from '../shared/delivery.ts';
import type { Role } from '../shared/roles.ts';
import { changePasswordPath } from './account/accountModel.ts';
import { fetchApi } from './fetchApi.ts';
import { currentSession, forgetSession, rememberSession } from './session.ts';

/**
 * The signed-in person, whether credits can reach the studio at all, and the helpdesk's ticket
 * address: the session carries them, and react-admin caches the identity for every screen (the
 * banner, the credit pages, every ticket reference) to read.
 */
export type StaffIdentity = UserIdentity & { role: Role; studio_delivery: StudioDeliverySettings; helpdesk_ticket_url: string | null };

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

const codeOf = (error: unknown): unknown =>
  typeof error === 'object' && error !== null && 'body' in error && typeof error.body === 'object' && error.body !== null
    ? (error.body as { code?: unknown }).code
    : undefined;

const setMustChangePassword = (required: boolean): void => {
  const session = currentSession();
  if (session) rememberSession({ ...session, user: { ...session.user, must_change_password: required } });
};

/**
 * Whether the signed-in person still has a temporary password (a new or reset account). Until
 * they choose their own the server refuses everything else, so the console shows only the
 * change-password page.
 */
export const passwordChangeRequired = (): boolean => currentSession()?.user.must_change_password === true;

/** Records in memory that the person has chosen their own password (the server answered the change). */
export const notePasswordChosen = (): void => setMustChangePassword(false);

export const authProvider: AuthProvider = {
  async login({ email, password }: LoginRequest) {
    const { json } = await fetchApi('/api/auth/login', {
      method: 'POST',
      body: JSON.stringify({ email, password }),
    });
    const session = sessionInfoSchema.parse(json);
    rememberSession(session);
    if (session.user.must_change_password) return { redirectTo: changePasswordPath };
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
   * The exception is `403 password_change_required`: the account still has a temporary password
   * (the server refuses everything until it changes), so the person stays signed in and goes to
   * the change-password page.
   */
  async checkError(error: unknown) {
    if (statusOf(error) === 401) throw error;
    if (statusOf(error) === 403 && codeOf(error) === 'password_change_required') {
      setMustChangePassword(true);
      throw { logoutUser: false, redirectTo: changePasswordPath, message: false };
    }
  },

  async getIdentity(): Promise<StaffIdentity> {
    const { user, studio_delivery, helpdesk_ticket_url } = await loadSession();
    return { id: user.id, fullName: user.name, role: user.role, studio_delivery, helpdesk_ticket_url };
  },

  async getPermissions(): Promise<Role> {
    const { user } = await loadSession();
    return user.role;
  },
};
