import type { Router } from 'express';
import { policySchema } from '../../shared/credits.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { requestOrigin, staffActor } from '../http/origin.ts';
import { parseBody } from '../http/validate.ts';
import { apiRouter } from '../http/router.ts';

export function policyRoutes(ctx: AppContext): Router {
  const router = apiRouter();
  router.get('/policy', async (_req, res) => {
    res.json(await ctx.policy.get());
  });
  router.put('/policy', requireRole('admin'), async (req, res) => {
    const next = parseBody(policySchema.strict(), req);
    res.json(await ctx.policy.update(next, staffActor(req), requestOrigin(req)));
  });
  return router;
}
