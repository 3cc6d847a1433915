import { type Router, type Request } from 'express';
import { assetQueries } from '../../db/repositories/assetQueries.ts';
import { chatQueries } from '../../db/repositories/chatQueries.ts';
import { customerQueries } from '../../db/repositories/customerQueries.ts';
import { generationQueries } from '../../db/repositories/generationQueries.ts';
import type { ListQueries, SqlParams } from '../../db/repositories/listStatements.ts';
import { transactionQueries } from '../../db/repositories/transactionQueries.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { NotFound } from '../errors.ts';
import { parseQuery } from '../http/validate.ts';
import { graceCutoff } from '../ledger/refundState.ts';
import { parseListQuery, sendListPageFrom } from './listQuery.ts';
import { lookup, lookupQuerySchema } from './lookup.ts';
import { rowToAsset, rowToChat, rowToCustomer, rowToGeneration, rowToTransaction } from './recordMappers.ts';
import { apiRouter } from '../http/router.ts';

/** Every staff role reads these resources (docs/api.md). */
const readers = requireRole('agent', 'lead', 'admin');

interface ReadOnlyResource<Row, Rec> {
  /** The path segment and the Content-Range unit. */
  name: string;
  /** How a 404 names one record. */
  label: string;
  statements: ListQueries<Row>;
  toRecord: (row: Row) => Rec;
  /** Parameters every query of the resource binds (the refund state's grace cutoff), read when the request is valid. */
  params?: () => Promise<SqlParams>;
}

/** Lists and records read through the storage seam, outside any transaction (docs/postgres.md). */
function mountReadOnly<Row, Rec>(router: Router, ctx: AppContext, resource: ReadOnlyResource<Row, Rec>): void {
  const { name, label, statements, toRecord, params } = resource;
  router.get(`/${name}`, readers, async (req, res) => {
    const page = parseListQuery(name, statements, req.query as Record<string, unknown>);
    await sendListPageFrom(ctx.storage, res, name, statements, page, toRecord, params && (await params()));
  });
  router.get(`/${name}/:id`, readers, async (req: Request<{ id: string }>, res) => {
    const row = await statements.byId(ctx.storage, req.params.id, params && (await params()));
    if (!row) throw new NotFound(label, req.params.id);
    res.json(toRecord(row));
  });
}

/**
 * The read-only resources of docs/api.md — customers, chats, generations,
 * transactions (ledger entries), assets — in the simple-REST list protocol,
 * and the lookup action. Mounted behind requireSession.
 */
export function resourceRoutes(ctx: AppContext): Router {
  const router = apiRouter();

  router.get('/lookup', readers, async (req, res) => {
    const { q } = parseQuery(lookupQuerySchema, req);
    res.json(await lookup(ctx.storage, q));
  });

  mountReadOnly(router, ctx, { name: 'customers', label: 'Customer', statements: customerQueries, toRecord: rowToCustomer });
  mountReadOnly(router, ctx, { name: 'chats', label: 'Chat', statements: chatQueries, toRecord: rowToChat });
  mountReadOnly(router, ctx, {
    name: 'generations',
    label: 'Generation',
    statements: generationQueries,
    toRecord: rowToGeneration,
    params: async () => ({ grace_cutoff: await graceCutoff(ctx.storage, ctx.clock) }),
  });
  mountReadOnly(router, ctx, { name: 'transactions', label: 'Transaction', statements: transactionQueries, toRecord: rowToTransaction });
  mountReadOnly(router, ctx, { name: 'assets', label: 'Asset', statements: assetQueries, toRecord: rowToAsset });
  return router;
}
