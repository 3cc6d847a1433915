import { type Router, type Request } from 'express';
import { auditQueries } from '../../db/repositories/auditQueries.ts';
import { creditQueries } from '../../db/repositories/creditQueries.ts';
import type { AuditRow } from '../../db/repositories/auditRepository.ts';
import { requireRole } from '../auth/middleware.ts';
import type { AppContext } from '../context.ts';
import { rowToCredit } from '../credits/creditRecord.ts';
import { ValidationFailed } from '../errors.ts';
import { parseListQuery } from '../resources/listQuery.ts';
import { streamCsv, type CsvColumn } from './csvExport.ts';
import { apiRouter } from '../http/router.ts';

const creditColumns: CsvColumn<ReturnType<typeof rowToCredit>>[] = [
  { header: 'id', value: (c) => c.id },
  { header: 'created_at', value: (c) => c.created_at },
  { header: 'status', value: (c) => c.status },
  { header: 'customer_id', value: (c) => c.customer_id },
  { header: 'customer_name', value: (c) => c.customer_name },
  { header: 'amount', value: (c) => c.amount },
  { header: 'reason', value: (c) => c.reason },
  { header: 'ticket_ref', value: (c) => c.ticket_ref },
  { header: 'runs', value: (c) => c.items.map((i) => `${i.generation_id}:${i.tokens}`).join(' ') },
  { header: 'requested_by', value: (c) => c.requested_by },
  { header: 'requested_by_name', value: (c) => c.requested_by_name },
  { header: 'decided_by_name', value: (c) => c.decided_by_name },
  { header: 'decided_at', value: (c) => c.decided_at },
  { header: 'decision_reason', value: (c) => c.decision_reason },
  { header: 'voided_by_name', value: (c) => c.voided_by_name },
  { header: 'voided_at', value: (c) => c.voided_at },
  { header: 'void_reason', value: (c) => c.void_reason },
  { header: 'transaction_id', value: (c) => c.transaction_id },
  { header: 'void_transaction_id', value: (c) => c.void_transaction_id },
  { header: 'balance_after', value: (c) => c.balance_after },
  { header: 'expected', value: (c) => c.expected },
  { header: 'received', value: (c) => c.received },
  { header: 'note', value: (c) => c.note },
  { header: 'anomalies', value: (c) => c.anomalies.map((a) => a.rule).join(' ') },
];

const auditColumns: CsvColumn<AuditRow>[] = [
  { header: 'id', value: (a) => a.seq },
  { header: 'at', value: (a) => a.at },
  { header: 'actor_type', value: (a) => a.actor_type },
  { header: 'actor_id', value: (a) => a.actor_id },
  { header: 'actor_name', value: (a) => a.actor_name },
  { header: 'action', value: (a) => a.action },
  { header: 'entity_type', value: (a) => a.entity_type },
  { header: 'entity_id', value: (a) => a.entity_id },
  { header: 'customer_id', value: (a) => a.customer_id },
  { header: 'reason', value: (a) => a.reason },
  { header: 'before', value: (a) => a.before_json },
  { header: 'after', value: (a) => a.after_json },
  { header: 'request_id', value: (a) => a.request_id },
  { header: 'client_ip', value: (a) => a.client_ip },
  { header: 'hash', value: (a) => a.hash },
];

/** Only `filter` and `sort`: an export is the whole filtered list, never a page. */
function exportQuery(req: Request): Record<string, unknown> {
  const { range, ...rest } = req.query as Record<string, unknown>;
  if (range !== undefined) throw new ValidationFailed({ range: 'exports hold every matching row: leave range out' });
  return rest;
}

async function* mapped<Row, Out>(rows: AsyncIterable<Row>, map: (row: Row) => Out): AsyncGenerator<Out> {
  for await (const row of rows) yield map(row);
}

/**
 * CSV exports of exactly the filtered list (docs/api.md), streamed with no row
 * cap. Each export reads a snapshot of its own (a connection of its own, on
 * either engine), so a long download never holds up the API's connection and
 * shows one moment's list, whatever is written meanwhile.
 */
export function exportRoutes(ctx: AppContext): Router {
  const router = apiRouter();
  const leads = requireRole('lead', 'admin');
  const stamp = (): string => ctx.clock().toISOString().slice(0, 19).replace(/[:T]/g, '-');

  router.get('/credits/export.csv', leads, async (req, res) => {
    const page = parseListQuery('credits', creditQueries, exportQuery(req));
    await ctx.storage.snapshot((snapshot) =>
      streamCsv(res, `credits-${stamp()}.csv`, creditColumns, mapped(creditQueries.streamAll(snapshot, page.request), rowToCredit), ctx.logger),
    );
  });

  router.get('/audit/export.csv', leads, async (req, res) => {
    const page = parseListQuery('audit', auditQueries, exportQuery(req));
    await ctx.storage.snapshot((snapshot) =>
      streamCsv(res, `audit-${stamp()}.csv`, auditColumns, auditQueries.streamAll(snapshot, page.request), ctx.logger),
    );
  });

  return router;
}
