import { createHash, randomBytes } from 'node:crypto';
import { oidcRepository } from '../../db/repositories/oidcRepository.ts';
import { staffRepository, type StaffRow } from '../../db/repositories/staffRepository.ts';
import type { Queryable, Storage } from '../../db/storage/types.ts';
import type { SsoErrorCode } from '../../shared/singleSignOn.ts';
import type { Clock } from '../clock.ts';
import type { AuthService, LoginOrigin, SignedIn } from './authService.ts';
import { createOidcClient, SsoRefused, type OidcClient, type OidcSettings, type VerifiedIdentity } from './oidcClient.ts';

/** How long a browser may take at the identity provider before its attempt is void. */
export const OIDC_LOGIN_TTL_MS = 10 * 60_000;

const hashHandle = (handle: string): string => createHash('sha256').update(handle).digest('hex');

interface Refusal {
  code: SsoErrorCode;
  reason: string;
}
type Verdict = { accepted: StaffRow } | { refused: Refusal };

/**
 * Single sign-on: starts an attempt (what the callback must find again stays
 * in oidc_logins, the browser gets only a random handle for it) and completes
 * it — the provider's answer checked by openid-client, then the e-mail the
 * provider says it verified (`email_verified: true`, never merely absent)
 * mapped to an existing, enabled staff account (never creating one) —
 * opening the session exactly as a password sign-in does.
 */
export function createOidcService(storage: Storage, settings: OidcSettings, auth: AuthService, clock: Clock, client: OidcClient = createOidcClient(settings)) {
  const allowedDomain = settings.emailDomain?.replace(/^@/, '').toLowerCase() ?? null;

  /**
   * A new attempt: where to send the browser, and the handle its state cookie
   * carries. Throws IssuerUnavailable when the provider cannot be reached.
   */
  async function start(): Promise<{ authorizationUrl: URL; handle: string; expiresAt: Date }> {
    const { authorizationUrl, checks } = await client.beginSignIn();
    const handle = randomBytes(32).toString('base64url');
    const now = clock();
    const expiresAt = new Date(now.getTime() + OIDC_LOGIN_TTL_MS);
    // After the provider answered: the transaction awaits nothing but the database.
    await storage.transaction(async (tx) => {
      await oidcRepository.removeExpiredLogins(tx, now.toISOString());
      await oidcRepository.insertLogin(tx, {
        handle_hash: hashHandle(handle),
        state: checks.state,
        nonce: checks.nonce,
        code_verifier: checks.codeVerifier,
        created_at: now.toISOString(),
        expires_at: expiresAt.toISOString(),
      });
    });
    return { authorizationUrl, handle, expiresAt };
  }

  /** Voids an attempt the browser abandoned (it started another). */
  async function discard(handle: string): Promise<void> {
    await storage.transaction((tx) => oidcRepository.takeLogin(tx, hashHandle(handle)));
  }

  /** Whether this verified identity may sign in, and as which staff account. */
  async function verdictFor(q: Queryable, identity: VerifiedIdentity, staff: StaffRow | undefined): Promise<Verdict> {
    const refuse = (code: SsoErrorCode, reason: string): Verdict => ({ refused: { code, reason } });
    if (!identity.email) return refuse('email_missing', 'the identity provider gave no e-mail address');
    // Only a provider's explicit `email_verified: true` vouches for the address; a provider that does not say
    // may hand out addresses anyone can set, and the e-mail is what picks the staff account.
    if (identity.emailVerified === false) return refuse('email_unverified', 'e-mail not verified by the identity provider');
    if (identity.emailVerified !== true) return refuse('email_unverified', 'the identity provider did not say the e-mail is verified');
    const domain = identity.email.slice(identity.email.lastIndexOf('@') + 1).toLowerCase();
    if (allowedDomain && domain !== allowedDomain) return refuse('email_domain', `e-mail domain ${domain} not allowed`);
    if (!staff) return refuse('not_staff', 'unknown e-mail');
    if (staff.disabled) return refuse('account_disabled', 'account disabled');
    if (staff.external_subject !== null && staff.external_subject !== identity.subject) {
      return refuse('subject_mismatch', 'account is linked to another single sign-on subject');
    }
    const owner = await oidcRepository.staffIdBySubject(q, identity.subject);
    if (owner !== undefined && owner !== staff.id) return refuse('subject_mismatch', 'single sign-on subject is linked to another account');
    return { accepted: staff };
  }

  /**
   * Completes the attempt behind `handle` with the provider's answer (the
   * callback's query string). The attempt is used up first, whatever happens
   * next. Resolves the new session; throws SsoRefused (a refusal of the
   * identity is audited as auth.login_failed) or IssuerUnavailable.
   */
  async function finish(handle: string | undefined, callbackQuery: string, origin: LoginOrigin): Promise<SignedIn> {
    const pending = handle ? await storage.transaction((tx) => oidcRepository.takeLogin(tx, hashHandle(handle))) : undefined;
    if (!pending) throw new SsoRefused('expired', handle ? 'no pending sign-in for this state cookie (used or never started)' : 'no state cookie');
    if (Date.parse(pending.expires_at) <= clock().getTime()) throw new SsoRefused('expired', 'the sign-in attempt expired');

    const identity = await client.completeSignIn(callbackQuery, { state: pending.state, nonce: pending.nonce, codeVerifier: pending.code_verifier });

    // Read inside the write transaction, the account's row held until the commit on PostgreSQL: an
    // account disabled, reset or linked meanwhile is seen as it is now.
    const outcome = await storage.transaction(async (tx): Promise<SignedIn | Refusal> => {
      const staff = identity.email ? await staffRepository.byEmailForUpdate(tx, identity.email) : undefined;
      const verdict = await verdictFor(tx, identity, staff);
      if ('refused' in verdict) {
        await auth.recordRefusal(
          tx,
          { email: identity.email ?? `(no e-mail, subject ${identity.subject})`, staff, reason: verdict.refused.reason, details: { method: 'sso', subject: identity.subject } },
          origin,
        );
        return verdict.refused;
      }
      const account = verdict.accepted;
      const linked = account.external_subject === null && (await oidcRepository.linkSubject(tx, account.id, identity.subject, clock().toISOString()));
      return auth.openSession(tx, account, origin, { method: 'sso', subject: identity.subject, ...(linked ? { subject_linked: true } : {}) });
    });
    if ('code' in outcome) throw new SsoRefused(outcome.code, outcome.reason);
    return outcome;
  }

  return { start, discard, finish };
}
export type OidcService = ReturnType<typeof createOidcService>;
