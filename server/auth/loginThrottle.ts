import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitInfo, type Store } from 'express-rate-limit';
import { NotAuthenticated, RateLimited } from '../errors.ts';

export interface ThrottleSettings {
  windowMinutes: number;
  perAccount: number;
  perAddress: number;
}

export const defaultThrottle: ThrottleSettings = { windowMinutes: 15, perAccount: 5, perAddress: 30 };

/**
 * Where a limiter keeps its counts, by a prefix of its own: the database (DatabaseThrottleStore), so
 * that every instance counts the same attempts; without one, this process's memory.
 */
export type ThrottleStores = (prefix: string) => Store;

/** Seconds until the limiter's window for this request ends (express-rate-limit sets `req.rateLimit`). */
const retryAfter = (req: Request): number => {
  const reset = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime;
  return Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now()) - Date.now()) / 1000));
};

const commonOptions = (settings: ThrottleSettings) => ({
  windowMs: settings.windowMinutes * 60_000,
  skipSuccessfulRequests: true,
  standardHeaders: false,
  legacyHeaders: false,
  validate: false,
}) as const;

/**
 * Failed sign-ins are counted per account and per client address; past the
 * limit the next attempts answer 429 with Retry-After until the window ends,
 * even with the right password. A successful sign-in does not count.
 *
 * The address is `req.ip`: the socket's, or behind a proxy trusted by
 * TRUST_PROXY the client address that proxy reports.
 */
export function loginThrottle(settings: ThrottleSettings = defaultThrottle, stores?: ThrottleStores): RequestHandler[] {
  const common = commonOptions(settings);
  const perAddress = rateLimit({
    ...common,
    store: stores?.('login-address:'),
    limit: settings.perAddress,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    handler: (req, _res, next) => next(new RateLimited(retryAfter(req), 'Too many failed sign-ins from this address. Wait and try again.')),
  });
  const perAccount = rateLimit({
    ...common,
    store: stores?.('login-account:'),
    limit: settings.perAccount,
    keyGenerator: (req) => {
      const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase().slice(0, 320) : '';
      // Counted before the body is checked; PostgreSQL's text cannot hold a NUL, and no e-mail has one.
      return `account:${email.replaceAll('\u0000', '\uFFFD')}`;
    },
    handler: (req, _res, next) => next(new RateLimited(retryAfter(req), 'Too many failed sign-ins for this account. Wait and try again.')),
  });
  return [perAddress, perAccount];
}

// Answers that told a wrong guess of the current password: only these count towards the password-change limit.
const wrongGuesses = new WeakSet<Response>();

/** Marks this answer as a wrong current password, for passwordChangeThrottle. */
export const countWrongGuess = (res: Response): void => {
  wrongGuesses.add(res);
};

/**
 * Wrong current passwords given to a password change, counted per account
 * like failed sign-ins: a stolen or unattended session must not become a way
 * to guess the password. Past the limit every attempt answers 429, a right
 * password too, so the limit is no oracle. Only answers marked with
 * countWrongGuess count: a too-short new password says nothing about the
 * current one. Runs after requireSession.
 */
export function passwordChangeThrottle(settings: ThrottleSettings = defaultThrottle, stores?: ThrottleStores): RequestHandler {
  return rateLimit({
    ...commonOptions(settings),
    store: stores?.('password-change:'),
    limit: settings.perAccount,
    keyGenerator: (req) => {
      if (!req.session) throw new NotAuthenticated();
      return `staff:${req.session.staff.id}`;
    },
    requestWasSuccessful: (_req, res) => !wrongGuesses.has(res),
    handler: (req, _res, next) => next(new RateLimited(retryAfter(req), 'Too many wrong passwords for this account. Wait and try again.')),
  });
}
