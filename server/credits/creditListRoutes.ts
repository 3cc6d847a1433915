import type { Router } from 'express';
import { createCreditQueries } from '../../db/repositories/creditQueries.ts';
import type { AppContext } from '../context.ts';
import { parseListQuery, sendListPage } from '../resources/listQuery.ts';
import { rowToCredit } from './creditRecord.ts';
import { apiRouter } from '../http/router.ts';

/** `GET /api/credits`: every staff role reads grants (agents see the credits tab of a customer). */
export function creditListRoutes(ctx: AppContext): Router {
  const router = apiRouter();
  const statements = createCreditQueries(ctx.db);
  router.get('/credits', (req, res) => {
    const page = parseListQuery('credits', statements, req.query as Record<string, unknown>);
    sendListPage(res, 'credits', statements, page, rowToCredit);
  });
  return router;
}
