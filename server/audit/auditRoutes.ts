import type { Router } from 'express';
import { auditQueries } from '../../db/repositories/auditQueries.ts';
import type { ChainStatus } from '../../shared/audit.ts';
import { isLeadOrAdmin } from '../../shared/roles.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { Forbidden, NotFound } from '../errors.ts';
import { parseListQuery, sendListPageFrom } from '../resources/listQuery.ts';
import { rowToAudit } from './auditRecord.ts';
import { verifyAuditChain } from './chainVerifier.ts';
import { apiRouter } from '../http/router.ts';

/**
 * An agent's reach into the audit log: one customer's trail per request. The
 * `customer_id` filter must be a single id — a list of ids would be every
 * customer's trail (and every lead's activity on them) in one call.
 */
function checkAgentScope(filter: Record<string, unknown>): void {
  const customerId = filter.customer_id;
  if (customerId === undefined) throw new Forbidden('Agents read the audit trail of one customer: filter by customer_id.');
  if (typeof customerId !== 'string') {
    throw new Forbidden('Agents read the audit trail of one customer at a time: filter.customer_id must be one id, not a list.');
  }
}

/**
 * Where the verifier's threads open the database that ctx.storage reaches (they cannot share its
 * connections, server/audit/chainVerifier.ts): the configured URL on PostgreSQL, else the SQLite file.
 */
const threadLocation = (ctx: AppContext): string | undefined =>
  ctx.database.engine === 'postgres' ? ctx.config.databaseUrl?.reveal() : ctx.database.path;

/**
 * The audit log. Leads and admins read all of it (the CSV export too, which is
 * theirs alone); an agent reads one customer's trail only, never the whole log.
 */
export function auditRoutes(ctx: AppContext): Router {
  const router = apiRouter();
  const leads = requireRole('lead', 'admin');

  router.get('/audit', async (req, res) => {
    const page = parseListQuery('audit', auditQueries, req.query as Record<string, unknown>);
    // Anyone but a lead or an admin is held to an agent's scope.
    if (!req.session || !isLeadOrAdmin(req.session.staff.role)) checkAgentScope(page.request.filter);
    await sendListPageFrom(ctx.storage, res, 'audit', auditQueries, page, rowToAudit);
  });

  router.get('/audit/verify', leads, async (_req, res) => {
    const result: ChainStatus = await verifyAuditChain(ctx.storage, { location: threadLocation(ctx) });
    res.json(result);
  });

  router.get('/audit/:id', leads, async (req, res) => {
    const id = String(req.params.id);
    const row = /^\d{1,15}$/.test(id) ? await auditQueries.byId(ctx.storage, id) : undefined;
    if (!row) throw new NotFound('Audit event', id);
    res.json(rowToAudit(row));
  });

  return router;
}
