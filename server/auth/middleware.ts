import { timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { CSRF_HEADER } from '../../shared/auth.ts';
import type { Role } from '../../shared/roles.ts';
import { CsrfFailed, Forbidden, NotAuthenticated } from '../errors.ts';
import type { Sessions } from './sessions.ts';
import { SESSION_COOKIE } from './sessions.ts';
import { parse as parseCookies } from 'cookie';

/** Attaches the live session, if the cookie names one. Never refuses by itself. */
export function loadSession(sessions: Sessions): RequestHandler {
  // Express 5 hands a rejected promise to the error handler.
  return async (req, _res, next) => {
    const header = req.headers.cookie;
    const token = header ? parseCookies(header)[SESSION_COOKIE] : undefined;
    if (token) {
      req.sessionToken = token;
      req.session = (await sessions.resolve(token)) ?? undefined;
    }
    next();
  };
}

/** 401 without a live session, whatever the route (docs/api.md). */
export const requireSession: RequestHandler = (req, _res, next) => {
  next(req.session ? undefined : new NotAuthenticated());
};

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

const sameToken = (given: string, expected: string): boolean => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

/** Every state-changing request carries the session's CSRF token in a header a cross-site form cannot set. */
export const requireCsrf: RequestHandler = (req, _res, next) => {
  if (safeMethods.has(req.method)) return next();
  const given = req.get(CSRF_HEADER);
  const expected = req.session?.csrf_token;
  next(given && expected && sameToken(given, expected) ? undefined : new CsrfFailed());
};

/** Routes declare who may call them: `requireRole('lead', 'admin')`. */
export function requireRole(...allowed: Role[]): RequestHandler {
  return (req, _res, next) => {
    if (!req.session) return next(new NotAuthenticated());
    next(allowed.includes(req.session.staff.role) ? undefined : new Forbidden());
  };
}

/** A new or reset account may do nothing but change its password (under /auth) until it has. */
export const requirePasswordChanged: RequestHandler = (req, _res, next) => {
  next(req.session?.staff.must_change_password === 1
    ? new Forbidden('Choose your own password first: your account still has a temporary one.', 'password_change_required')
    : undefined);
};
