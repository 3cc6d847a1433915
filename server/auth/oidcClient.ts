import * as oidc from 'openid-client';
import type { SsoErrorCode } from '../../shared/singleSignOn.ts';
import type { Config } from '../config.ts';
import { Unavailable } from '../errors.ts';

export type OidcSettings = NonNullable<Config['oidc']>;

/** What the callback must find again: kept server-side between start and callback (oidc_logins). */
export interface AuthorizationChecks {
  state: string;
  nonce: string;
  codeVerifier: string;
}

/** Who the identity provider says signed in, after every check of the library passed. */
export interface VerifiedIdentity {
  subject: string;
  email: string | null;
  /** null when the provider did not say, which signs nobody in (only true does). */
  emailVerified: boolean | null;
}

/** The identity provider cannot be reached or answers nonsense: nobody can sign in through it right now. */
export class IssuerUnavailable extends Unavailable {
  constructor(message = 'Single sign-on is unavailable: the identity provider cannot be reached. Try again in a moment.') {
    super(message);
  }
}

/** This sign-in attempt is refused; `code` tells the login page which message to show, `detail` is for the log. */
export class SsoRefused extends Error {
  constructor(readonly code: SsoErrorCode, readonly detail: string) {
    super(`single sign-on refused (${code}): ${detail}`);
    this.name = 'SsoRefused';
  }
}

const SCOPE = 'openid email';
const TIMEOUT_SECONDS = 10;

/** Some providers (Cognito's userinfo) send `email_verified` as the string "true" or "false". */
const asBoolean = (value: unknown): boolean | null =>
  typeof value === 'boolean' ? value : value === 'true' ? true : value === 'false' ? false : null;

const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]']);
const isLoopback = (url: URL): boolean => loopbackHosts.has(url.hostname) || /^127\.\d+\.\d+\.\d+$/.test(url.hostname);

/** The provider could not be asked, as opposed to having answered "no". */
function isUnreachable(error: unknown): boolean {
  if (error instanceof TypeError) return error.message === 'fetch failed';
  if (error instanceof oidc.ClientError) {
    return ['OAUTH_TIMEOUT', 'OAUTH_ABORT', 'OAUTH_RESPONSE_IS_NOT_CONFORM', 'OAUTH_RESPONSE_IS_NOT_JSON'].includes(error.code ?? '');
  }
  return false;
}

/** Sorts what openid-client threw while completing a sign-in: unreachable (503) or refused (back to the login page). */
function classify(error: unknown): Error {
  if (error instanceof oidc.AuthorizationResponseError) return new SsoRefused('denied', `the provider answered ${error.error}`);
  if (error instanceof oidc.ResponseBodyError) return new SsoRefused('failed', `the provider refused the code: ${error.error}`);
  if (isUnreachable(error)) return new IssuerUnavailable();
  if (error instanceof oidc.ClientError) return new SsoRefused('failed', `${error.message} (${error.code ?? 'no code'})`);
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * The console as an OpenID Connect client (openid-client): authorization code
 * flow with PKCE (S256), state and nonce. The issuer's metadata is discovered
 * at first use and kept; a failed discovery is not kept, so the next sign-in
 * tries again. ID token signatures are checked against the issuer's keys
 * (besides issuer, audience, expiry and nonce), even though the token comes
 * straight from the token endpoint.
 */
export function createOidcClient(settings: OidcSettings) {
  const issuer = new URL(settings.issuer);
  // Plain HTTP only to a loopback address (a provider on the same machine, the tests'): elsewhere it would carry codes and tokens in clear.
  const plainHttpAllowed = issuer.protocol === 'http:' && isLoopback(issuer);
  let discovered: Promise<oidc.Configuration> | undefined;

  function configuration(): Promise<oidc.Configuration> {
    if (issuer.protocol !== 'https:' && !plainHttpAllowed) {
      return Promise.reject(new IssuerUnavailable('Single sign-on is misconfigured: OIDC_ISSUER must be an https URL (plain http only for a loopback address).'));
    }
    discovered ??= oidc
      .discovery(issuer, settings.clientId, settings.clientSecret, oidc.ClientSecretBasic(settings.clientSecret), {
        timeout: TIMEOUT_SECONDS,
        execute: plainHttpAllowed ? [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] : [oidc.enableNonRepudiationChecks],
      })
      .catch((error: unknown) => {
        discovered = undefined;
        throw new IssuerUnavailable(
          isUnreachable(error)
            ? undefined
            : `Single sign-on is unavailable: the identity provider's discovery document could not be used (${error instanceof Error ? error.message : String(error)}).`,
        );
      });
    return discovered;
  }

  /** Fresh state, nonce and PKCE verifier, and the issuer's authorization URL that carries them. */
  async function beginSignIn(): Promise<{ authorizationUrl: URL; checks: AuthorizationChecks }> {
    const config = await configuration();
    const checks: AuthorizationChecks = { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
    const authorizationUrl = oidc.buildAuthorizationUrl(config, {
      redirect_uri: settings.redirectUrl,
      scope: SCOPE,
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
    });
    return { authorizationUrl, checks };
  }

  /**
   * Checks the provider's answer (state, `iss`, an error it reports), trades
   * the code for tokens with the PKCE verifier, validates the ID token
   * (signature, issuer, audience, expiry, nonce) and returns who signed in.
   * The e-mail comes from the ID token, or from the userinfo endpoint when the
   * provider keeps scope claims there (checked to be about the same subject).
   */
  async function completeSignIn(callbackQuery: string, checks: AuthorizationChecks): Promise<VerifiedIdentity> {
    const config = await configuration();
    // The configured redirect URL, not the Host header, is what the token request names.
    const callbackUrl = new URL(settings.redirectUrl);
    callbackUrl.search = callbackQuery;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims();
      if (!claims) throw new SsoRefused('failed', 'the provider returned no ID token');
      let { email, email_verified: emailVerified } = claims;
      if (typeof email !== 'string') {
        ({ email, email_verified: emailVerified } = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub));
      }
      return {
        subject: claims.sub,
        email: typeof email === 'string' && email.length > 0 ? email : null,
        emailVerified: asBoolean(emailVerified),
      };
    } catch (error) {
      if (error instanceof SsoRefused) throw error;
      throw classify(error);
    }
  }

  return { beginSignIn, completeSignIn };
}
export type OidcClient = ReturnType<typeof createOidcClient>;
