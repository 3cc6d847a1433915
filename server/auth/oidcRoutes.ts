import { parse as parseCookies } from 'cookie';
import { type Router, type CookieOptions, type Request, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { SignInMethods } from '../../shared/singleSignOn.ts';
import type { AppContext } from '../context.ts';
import { NotFound, RateLimited } from '../errors.ts';
import { requestOrigin } from '../http/origin.ts';
import { SsoRefused } from './oidcClient.ts';
import { OIDC_LOGIN_TTL_MS, type OidcService } from './oidcService.ts';
import { SESSION_COOKIE, sessionCookieOptions } from './sessions.ts';
import { apiRouter } from '../http/router.ts';

/** The browser's handle on its single sign-on attempt; only the callback needs it. */
export const OIDC_STATE_COOKIE = 'td_oidc';
const STATE_COOKIE_PATH = '/api/auth/oidc';

/** Starts per client address per minute: each one stores an attempt, so a flood must not fill the table. */
const STARTS_PER_MINUTE = 60;

/**
 * `GET /methods` (which ways in the login page offers) and single sign-on:
 * `GET /oidc/start` sends the browser to the identity provider, `GET
 * /oidc/callback` is where it comes back. Mounted under /api/auth, before the
 * session check. Without OIDC_ISSUER the two single sign-on routes are 404.
 */
export function oidcRoutes(ctx: AppContext): Router {
  const router = apiRouter();

  // SameSite=Lax, unlike the session cookie: the provider's redirect back is a cross-site navigation, which a Strict cookie would miss.
  const stateCookie = (maxAgeMs?: number): CookieOptions => ({
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.production,
    path: STATE_COOKIE_PATH,
    ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }),
  });

  const ssoService = (req: Request): OidcService => {
    if (!ctx.oidc) throw new NotFound('API route', `${req.method} ${req.baseUrl}${req.path}`);
    return ctx.oidc;
  };
  // Before the throttle, so that without single sign-on these routes are plain 404s.
  const requireSso: RequestHandler = (req, _res, next) => {
    ssoService(req);
    next();
  };
  const startThrottle = rateLimit({
    windowMs: 60_000,
    limit: STARTS_PER_MINUTE,
    standardHeaders: false,
    legacyHeaders: false,
    validate: false,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    handler: (_req, _res, next) => next(new RateLimited(60, 'Too many single sign-on attempts from this address. Wait a minute and try again.')),
  });
  const stateHandle = (cookieHeader: string | undefined): string | undefined =>
    cookieHeader ? parseCookies(cookieHeader)[OIDC_STATE_COOKIE] : undefined;

  router.get('/methods', (_req, res) => {
    const methods: SignInMethods = { password: ctx.config.passwordLogin, sso: ctx.oidc !== null };
    res.json(methods);
  });

  router.get('/oidc/start', requireSso, startThrottle, async (req, res) => {
    const service = ssoService(req);
    const previous = stateHandle(req.headers.cookie);
    if (previous) await service.discard(previous);
    const { authorizationUrl, handle } = await service.start();
    res.cookie(OIDC_STATE_COOKIE, handle, stateCookie(OIDC_LOGIN_TTL_MS));
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, authorizationUrl.href);
  });

  router.get('/oidc/callback', requireSso, async (req, res) => {
    const service = ssoService(req);
    res.clearCookie(OIDC_STATE_COOKIE, stateCookie());
    res.setHeader('Cache-Control', 'no-store');
    const queryAt = req.originalUrl.indexOf('?');
    try {
      const { session } = await service.finish(stateHandle(req.headers.cookie), queryAt === -1 ? '' : req.originalUrl.slice(queryAt + 1), {
        ...requestOrigin(req),
        userAgent: req.get('user-agent') ?? null,
        previousToken: req.sessionToken,
      });
      res.cookie(SESSION_COOKIE, session.token, sessionCookieOptions(ctx.config.production, session.expiresAt.getTime() - ctx.clock().getTime()));
      res.redirect(303, '/#/');
    } catch (error) {
      if (!(error instanceof SsoRefused)) throw error;
      req.log.warn({ sso_error: error.code, detail: error.detail }, 'single sign-on refused');
      res.redirect(303, `/#/login?sso_error=${error.code}`);
    }
  });

  return router;
}
