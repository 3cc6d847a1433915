import { type Router, type Request } from 'express';
import { createAssetQueries } from '../../db/repositories/assetQueries.ts';
import { createChatQueries } from '../../db/repositories/chatQueries.ts';
import { createCustomerQueries } from '../../db/repositories/customerQueries.ts';
import { createGenerationQueries } from '../../db/repositories/generationQueries.ts';
import type { ListStatements, SqlParams } from '../../db/repositories/listStatements.ts';
import { createTransactionQueries } from '../../db/repositories/transactionQueries.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { NotFound } from '../errors.ts';
import { parseQuery } from '../http/validate.ts';
import { createGraceCutoff } from '../ledger/refundState.ts';
import { parseListQuery, sendListPage } from './listQuery.ts';
import { createLookup, lookupQuerySchema } from './lookup.ts';
import { rowToAsset, rowToChat, rowToCustomer, rowToGeneration, rowToTransaction } from './recordMappers.ts';
import { apiRouter } from '../http/router.ts';

/** Every staff role reads these resources (docs/api.md). */
const readers = requireRole('agent', 'lead', 'admin');

interface ReadOnlyResource<Row, Rec> {
  /** The path segment and the Content-Range unit. */
  name: string;
  /** How a 404 names one record. */
  label: string;
  statements: ListStatements<Row>;
  toRecord: (row: Row) => Rec;
  /** Parameters every query of the resource binds (the refund state's grace cutoff). */
  params?: () => SqlParams;
}

function mountReadOnly<Row, Rec>(router: Router, resource: ReadOnlyResource<Row, Rec>): void {
  const { name, label, statements, toRecord, params = () => ({}) } = resource;
  router.get(`/${name}`, readers, (req, res) => {
    const page = parseListQuery(name, statements, req.query as Record<string, unknown>);
    sendListPage(res, name, statements, page, toRecord, params());
  });
  router.get(`/${name}/:id`, readers, (req: Request<{ id: string }>, res) => {
    const row = statements.byId(req.params.id, params());
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
  const graceCutoff = createGraceCutoff(ctx.db, ctx.clock);
  const lookup = createLookup(ctx.db);

  router.get('/lookup', readers, (req, res) => {
    const { q } = parseQuery(lookupQuerySchema, req);
    res.json(lookup(q));
  });

  mountReadOnly(router, { name: 'customers', label: 'Customer', statements: createCustomerQueries(ctx.db), toRecord: rowToCustomer });
  mountReadOnly(router, { name: 'chats', label: 'Chat', statements: createChatQueries(ctx.db), toRecord: rowToChat });
  mountReadOnly(router, {
    name: 'generations',
    label: 'Generation',
    statements: createGenerationQueries(ctx.db),
    toRecord: rowToGeneration,
    params: () => ({ grace_cutoff: graceCutoff() }),
  });
  mountReadOnly(router, { name: 'transactions', label: 'Transaction', statements: createTransactionQueries(ctx.db), toRecord: rowToTransaction });
  mountReadOnly(router, { name: 'assets', label: 'Asset', statements: createAssetQueries(ctx.db), toRecord: rowToAsset });
  return router;
}
