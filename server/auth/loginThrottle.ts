import type { Request, RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type RateLimitInfo } from 'express-rate-limit';
import { RateLimited } from '../errors.ts';

export interface ThrottleSettings {
  windowMinutes: number;
  perAccount: number;
  perAddress: number;
}

export const defaultThrottle: ThrottleSettings = { windowMinutes: 15, perAccount: 5, perAddress: 30 };

/** Seconds until the limiter's window for this request ends (express-rate-limit sets `req.rateLimit`). */
const retryAfter = (req: Request): number => {
  const reset = (req as Request & { rateLimit?: RateLimitInfo }).rateLimit?.resetTime;
  return Math.max(1, Math.ceil(((reset?.getTime() ?? Date.now()) - Date.now()) / 1000));
};

/**
 * Failed sign-ins are counted per account and per client address; past the
 * limit the next attempts answer 429 with Retry-After until the window ends,
 * even with the right password. A successful sign-in does not count.
 */
export function loginThrottle(settings: ThrottleSettings = defaultThrottle): RequestHandler[] {
  const common = {
    windowMs: settings.windowMinutes * 60_000,
    skipSuccessfulRequests: true,
    standardHeaders: false,
    legacyHeaders: false,
    validate: false,
  } as const;
  const perAddress = rateLimit({
    ...common,
    limit: settings.perAddress,
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`,
    handler: (req, _res, next) => next(new RateLimited(retryAfter(req), 'Too many failed sign-ins from this address. Wait and try again.')),
  });
  const perAccount = rateLimit({
    ...common,
    limit: settings.perAccount,
    keyGenerator: (req) => {
      const email = typeof req.body?.email === 'string' ? req.body.email.trim().toLowerCase().slice(0, 320) : '';
      return `account:${email}`;
    },
    handler: (req, _res, next) => next(new RateLimited(retryAfter(req), 'Too many failed sign-ins for this account. Wait and try again.')),
  });
  return [perAddress, perAccount];
}
