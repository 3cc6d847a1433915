import type { Router } from 'express';
import { creditRepository } from '../../db/repositories/creditRepository.ts';
import { reportQueries } from '../../db/repositories/reportQueries.ts';
import {
  creditReportQuerySchema,
  DECISIONS_LIMIT,
  decisionsQuerySchema,
  reportPeriodSchema,
  type AnomalyReport,
  type CreditReport,
  type DecisionsReport,
  type RefundReport,
} from '../../shared/reports.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { ValidationFailed } from '../errors.ts';
import { staffActor } from '../http/origin.ts';
import { parseQuery } from '../http/validate.ts';
import { rowToCredit } from '../credits/creditRecord.ts';
import { graceCutoff } from '../ledger/refundState.ts';
import { apiRouter } from '../http/router.ts';

const DEFAULT_DAYS = 30;

/**
 * Lead dashboard figures (docs/api.md): credits by day, agent, reason or tool; refund health by
 * tool; held ingestion events. And, for anyone's home page, the decisions on their own credits.
 * Read on ctx.storage, outside any transaction.
 */
export function reportRoutes(ctx: AppContext): Router {
  const router = apiRouter();
  const leads = requireRole('lead', 'admin');

  const period = (parsed: { from?: string; to?: string }): { from: string; to: string } => {
    const to = parsed.to ?? ctx.clock().toISOString();
    const from = parsed.from ?? new Date(Date.parse(to) - DEFAULT_DAYS * 86_400_000).toISOString();
    if (from > to) throw new ValidationFailed({ from: 'must be before to' });
    return { from, to };
  };

  router.get('/reports/credits', leads, async (req, res) => {
    const query = parseQuery(creditReportQuerySchema.strict(), req);
    const range = period(query);
    const body: CreditReport = { ...range, group_by: query.group_by, rows: await reportQueries.credits(ctx.storage, query.group_by, range) };
    res.json(body);
  });

  router.get('/reports/refunds', leads, async (req, res) => {
    const range = period(parseQuery(reportPeriodSchema.strict(), req));
    const cutoff = await graceCutoff(ctx.storage, ctx.clock);
    const rows = (await reportQueries.refunds(ctx.storage, range, cutoff)).map((row) => {
      const charged = row.failed - row.not_charged;
      return { ...row, auto_refund_rate: charged > 0 ? Math.round((row.auto_refunded / charged) * 10_000) / 10_000 : null };
    });
    const body: RefundReport = { ...range, rows };
    res.json(body);
  });

  router.get('/reports/anomalies', leads, async (req, res) => {
    const range = period(parseQuery(reportPeriodSchema.strict(), req));
    const credits = await creditRepository.viewInPeriod(ctx.storage, range.from, range.to);
    const body: AnomalyReport = { ...range, rows: credits.map(rowToCredit).filter((credit) => credit.anomalies.length > 0) };
    res.json(body);
  });

  // Every role: it only ever lists the caller's own credits.
  router.get('/reports/decisions', async (req, res) => {
    const { since } = parseQuery(decisionsQuerySchema, req);
    // Read before the query: a decision made while it runs is then also in the next look.
    const asOf = ctx.clock().toISOString();
    const rows = await reportQueries.decisionsFor(ctx.storage, staffActor(req).id, since, DECISIONS_LIMIT);
    const body: DecisionsReport = { since, as_of: asOf, rows: rows.map(rowToCredit) };
    res.json(body);
  });

  // Awaited: ingestion's report is moving onto the storage seam, where it answers a promise.
  router.get('/reports/ingest-held', leads, async (_req, res) => {
    res.json(await ctx.ingest.heldReport());
  });

  return router;
}
