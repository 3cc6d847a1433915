import type { Router } from 'express';
import { loginRequestSchema, type SessionInfo } from '../../shared/auth.ts';
import { passwordChangeSchema } from '../../shared/staff.ts';
import type { AppContext } from '../context.ts';
import { Forbidden, NotAuthenticated } from '../errors.ts';
import { requestOrigin } from '../http/origin.ts';
import { parseBody } from '../http/validate.ts';
import { WrongCurrentPassword } from '../staff/staffService.ts';
import { countWrongGuess, defaultThrottle, loginThrottle, passwordChangeThrottle, type ThrottleStores } from './loginThrottle.ts';
import { DatabaseThrottleStore } from './throttleStore.ts';
import { systemClock } from '../clock.ts';
import { requireCsrf, requireSession } from './middleware.ts';
import { SESSION_COOKIE, sessionCookieOptions } from './sessions.ts';
import { apiRouter } from '../http/router.ts';

export function authRoutes(ctx: AppContext): Router {
  const router = apiRouter();
  const cookieOptions = (maxAgeMs?: number) => sessionCookieOptions(ctx.config.production, maxAgeMs);
  // Counted in the database: every instance on it counts the same attempts. Windows are wall-clock
  // time, as Retry-After is, whatever clock the domain runs on.
  const stores: ThrottleStores = (prefix) => new DatabaseThrottleStore(ctx.storage, systemClock, prefix);

  router.post('/login', ...loginThrottle(defaultThrottle, stores), async (req, res) => {
    if (!ctx.config.passwordLogin) throw new Forbidden('Password sign-in is turned off: use single sign-on.', 'password_login_disabled');
    const input = parseBody(loginRequestSchema, req);
    const { session, info } = await ctx.auth.login(input, {
      ...requestOrigin(req),
      userAgent: req.get('user-agent') ?? null,
      previousToken: req.sessionToken,
    });
    res.cookie(SESSION_COOKIE, session.token, cookieOptions(session.expiresAt.getTime() - ctx.clock().getTime()));
    res.json(info);
  });

  router.get('/me', requireSession, (req, res) => {
    const session = req.session;
    if (!session) throw new NotAuthenticated();
    const { id, email, name, role, must_change_password: mustChange } = session.staff;
    const info: SessionInfo = {
      user: { id, email, name, role, must_change_password: mustChange === 1 },
      csrf_token: session.csrf_token,
      studio_delivery: ctx.studioDelivery,
      helpdesk_ticket_url: ctx.config.helpdeskTicketUrl,
    };
    res.json(info);
  });

  // After the CSRF check, so that a forged request cannot use up someone's attempts.
  router.post('/password', requireSession, requireCsrf, passwordChangeThrottle(defaultThrottle, stores), async (req, res) => {
    const session = req.session;
    if (!session || !req.sessionToken) throw new NotAuthenticated();
    const input = parseBody(passwordChangeSchema, req);
    try {
      res.json(await ctx.staff.changeOwnPassword(session.staff.id, input, req.sessionToken, requestOrigin(req)));
    } catch (error) {
      if (error instanceof WrongCurrentPassword) countWrongGuess(res);
      throw error;
    }
  });

  router.post('/logout', requireSession, requireCsrf, async (req, res) => {
    const session = req.session;
    if (!session || !req.sessionToken) throw new NotAuthenticated();
    await ctx.auth.logout(req.sessionToken, session.staff, requestOrigin(req));
    res.clearCookie(SESSION_COOKIE, cookieOptions());
    res.status(204).end();
  });

  return router;
}
