import { type Router, type Request } from 'express';
import { z } from 'zod';
import { IDEMPOTENCY_HEADER } from '../../shared/auth.ts';
import { creditRequestSchema, decisionSchema, IDEMPOTENCY_KEY_PATTERN } from '../../shared/credits.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { NotAuthenticated, ValidationFailed } from '../errors.ts';
import { requestOrigin } from '../http/origin.ts';
import { parseBody, parseQuery } from '../http/validate.ts';
import { hashRequestBody, type Requester } from './creditService.ts';
import { apiRouter } from '../http/router.ts';

const eligibilityQuery = z.object({
  generation_ids: z
    .string({ message: 'list the run ids, comma-separated' })
    .transform((value) => [...new Set(value.split(',').map((id) => id.trim()).filter(Boolean))])
    .refine((ids) => ids.length > 0 && ids.length <= 100, 'list between 1 and 100 run ids'),
});

const requester = (req: Request): Requester => {
  if (!req.session) throw new NotAuthenticated();
  const { id, name, role } = req.session.staff;
  return { id, name, role };
};

const idParam = (req: Request): string => {
  const id = req.params.id;
  if (typeof id !== 'string' || id.length === 0 || id.length > 200) throw new ValidationFailed({ id: 'is not a credit id' });
  return id;
};

/** Credit actions of docs/api.md. The list and record views sit beside the other resources. */
export function creditRoutes(ctx: AppContext): Router {
  const router = apiRouter();
  const leads = requireRole('lead', 'admin');

  router.get('/credits/eligibility', async (req, res) => {
    const { generation_ids: ids } = parseQuery(eligibilityQuery, req);
    res.json(await ctx.credits.eligibility(ids));
  });

  router.post('/credits', async (req, res) => {
    const key = req.get(IDEMPOTENCY_HEADER);
    if (!key || !IDEMPOTENCY_KEY_PATTERN.test(key)) {
      throw new ValidationFailed({ [IDEMPOTENCY_HEADER]: 'is required: 1 to 255 printable characters, new for each credit' });
    }
    const input = parseBody(creditRequestSchema, req);
    const bodyHash = hashRequestBody(req.body);
    const by = requester(req);
    const origin = requestOrigin(req);
    // Requests arriving together share one commit (db/storage/sqliteStorage.ts).
    const answer = await ctx.credits.request(input, key, bodyHash, by, origin);
    if (answer.replayed) res.setHeader('Idempotency-Replayed', 'true');
    res.status(answer.status).json(answer.record);
  });

  router.get('/credits/:id', async (req, res) => {
    res.json(await ctx.credits.record(idParam(req)));
  });

  router.post('/credits/:id/approve', leads, async (req, res) => {
    res.json(await ctx.credits.approve(idParam(req), requester(req), requestOrigin(req)));
  });

  router.post('/credits/:id/reject', leads, async (req, res) => {
    const { reason } = parseBody(decisionSchema, req);
    res.json(await ctx.credits.reject(idParam(req), reason, requester(req), requestOrigin(req)));
  });

  router.post('/credits/:id/void', leads, async (req, res) => {
    const { reason } = parseBody(decisionSchema, req);
    res.json(await ctx.credits.voidCredit(idParam(req), reason, requester(req), requestOrigin(req)));
  });

  return router;
}
