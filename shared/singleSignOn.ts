import { z } from 'zod';

/** `GET /api/auth/methods`: which ways in the login page offers. */
export const signInMethodsSchema = z.object({
  password: z.boolean(),
  sso: z.boolean(),
});
export type SignInMethods = z.infer<typeof signInMethodsSchema>;

/** Where the login page's single sign-on link goes: a plain navigation, which redirects to the identity provider. */
export const SSO_START_PATH = '/api/auth/oidc/start';

/**
 * Why a single sign-on came back to the login page, as `/#/login?sso_error=<code>`.
 * Only the code travels in the URL and the page shows the message kept here, so
 * a crafted link cannot make the login page say anything else.
 */
export const ssoErrorMessages = {
  not_staff: 'No Token Desk staff account uses the e-mail address your identity provider gave. Ask an administrator to add you.',
  account_disabled: 'Your Token Desk account is disabled. Ask an administrator.',
  email_domain: 'Your identity provider signed you in with an e-mail address of a domain that may not use Token Desk.',
  email_unverified: 'Your identity provider has not verified your e-mail address, so Token Desk cannot match it to a staff account.',
  email_missing: 'Your identity provider did not share your e-mail address, so Token Desk cannot match it to a staff account.',
  subject_mismatch: 'This staff account is linked to another single sign-on identity. Ask an administrator.',
  expired: 'The single sign-on attempt expired or was already used. Try again.',
  denied: 'Your identity provider did not sign you in.',
  failed: 'Single sign-on failed: the answer from your identity provider did not pass the checks. Try again.',
} as const;
export type SsoErrorCode = keyof typeof ssoErrorMessages;

export const isSsoErrorCode = (code: string): code is SsoErrorCode => Object.hasOwn(ssoErrorMessages, code);
