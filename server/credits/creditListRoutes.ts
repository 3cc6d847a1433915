import type { Router } from 'express';
import { creditQueries } from '../../db/repositories/creditQueries.ts';
import type { AppContext } from '../context.ts';
import { parseListQuery, sendListPageFrom } from '../resources/listQuery.ts';
import { rowToCredit } from './creditRecord.ts';
import { apiRouter } from '../http/router.ts';

/** `GET /api/credits`: every staff role reads grants (agents see the credits tab of a customer). */
export function creditListRoutes(ctx: AppContext): Router {
  const router = apiRouter();
  router.get('/credits', async (req, res) => {
    const page = parseListQuery('credits', creditQueries, req.query as Record<string, unknown>);
    await sendListPageFrom(ctx.storage, res, 'credits', creditQueries, page, rowToCredit);
  });
  return router;
}
