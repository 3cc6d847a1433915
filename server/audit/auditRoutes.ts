import { Router } from 'express';
import { createAuditQueries } from '../../db/repositories/auditQueries.ts';
import type { ChainStatus } from '../../shared/audit.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { Forbidden, NotFound } from '../errors.ts';
import { parseListQuery, sendListPage } from '../resources/listQuery.ts';
import { rowToAudit } from './auditRecord.ts';
import { verifyAuditChain } from './chainVerifier.ts';

/**
 * The audit log. Leads and admins read all of it; an agent reads one
 * customer's trail only (a `customer_id` filter), never the whole log.
 */
export function auditRoutes(ctx: AppContext): Router {
  const router = Router();
  const statements = createAuditQueries(ctx.db);
  const leads = requireRole('lead', 'admin');

  router.get('/audit', (req, res) => {
    const page = parseListQuery('audit', statements, req.query as Record<string, unknown>);
    if (req.session?.staff.role === 'agent' && page.request.filter.customer_id === undefined) {
      throw new Forbidden('Agents read the audit trail of one customer: filter by customer_id.');
    }
    sendListPage(res, 'audit', statements, page, rowToAudit);
  });

  router.get('/audit/verify', leads, async (_req, res) => {
    const result: ChainStatus = await verifyAuditChain(ctx.db);
    res.json(result);
  });

  router.get('/audit/:id', leads, (req, res) => {
    const id = String(req.params.id);
    const row = /^\d{1,15}$/.test(id) ? statements.byId(id) : undefined;
    if (!row) throw new NotFound('Audit event', id);
    res.json(rowToAudit(row));
  });

  return router;
}
