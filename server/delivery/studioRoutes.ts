import { type Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { FEED_PAGE_DEFAULT, FEED_PAGE_MAX } from '../../shared/delivery.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { DomainError, NotFound } from '../errors.ts';
import { requestOrigin, staffActor } from '../http/origin.ts';
import { parseQuery } from '../http/validate.ts';
import type { Secret } from './secret.ts';
import { refuseNul } from '../http/refuseNul.ts';
import { apiRouter } from '../http/router.ts';

const feedQuery = z
  .object({
    after: z.string().regex(/^\d{1,15}$/, 'must be a whole number, 0 or more (the last seq you have)').transform(Number).default(0),
    limit: z
      .string()
      .regex(/^\d{1,4}$/, `must be a whole number from 1 to ${FEED_PAGE_MAX}`)
      .transform(Number)
      .refine((n) => n >= 1 && n <= FEED_PAGE_MAX, `must be from 1 to ${FEED_PAGE_MAX}`)
      .default(FEED_PAGE_DEFAULT),
  })
  .strict();

class BadBearer extends DomainError {
  constructor() {
    super(401, 'not_authenticated', 'Send the token in an Authorization: Bearer header.');
  }
}

/**
 * A route for a machine holding `token`: 404 while the token is unset (the
 * feature is off), 401 for a missing or wrong bearer token. A staff session
 * cookie counts for nothing here.
 */
export function requireBearer(token: Secret | null, feature: string): RequestHandler {
  return (req: Request, res, next) => {
    if (!token) return next(new NotFound(feature));
    const match = /^Bearer ([\x21-\x7E]+)$/.exec(req.get('authorization') ?? '');
    if (match && token.matches(match[1])) return next();
    res.setHeader('WWW-Authenticate', 'Bearer');
    next(new BadBearer());
  };
}

/** The studio's pull feed of credit events (docs/integration.md), outside staff sessions. */
export function studioFeedRoutes(ctx: AppContext): Router {
  const router = apiRouter();
  router.get('/credit-events', requireBearer(ctx.config.feedToken, 'Credit event feed'), refuseNul, async (req, res) => {
    const { after, limit } = parseQuery(feedQuery, req);
    res.json(await ctx.delivery.feedPage(after, limit));
  });
  return router;
}

/** Staff actions on delivery: a lead retries one credit, an admin every given-up event. */
export function deliveryActionRoutes(ctx: AppContext): Router {
  const router = apiRouter();
  router.post('/credits/:id/delivery/retry', requireRole('lead', 'admin'), async (req, res) => {
    const id = req.params.id;
    if (typeof id !== 'string' || id.length === 0 || id.length > 200) throw new NotFound('Credit');
    res.json(await ctx.delivery.retryCredit(id, staffActor(req), requestOrigin(req)));
  });
  router.post('/studio/delivery/retry-given-up', requireRole('admin'), async (req, res) => {
    res.json(await ctx.delivery.retryGivenUp(staffActor(req), requestOrigin(req)));
  });
  router.get('/reports/studio-delivery', requireRole('lead', 'admin'), async (_req, res) => {
    res.json(await ctx.delivery.report());
  });
  return router;
}
