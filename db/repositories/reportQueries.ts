import type { Queryable, Statement } from '../storage/types.ts';
import { creditViewSql, type CreditViewRow } from './creditRepository.ts';

export interface ReportRow {
  key: string;
  label: string;
  count: number;
  tokens: number;
}

export interface RefundReportRow {
  tool: string;
  failed: number;
  not_charged: number;
  auto_refunded: number;
  refund_pending: number;
  refund_missing: number;
}

interface Period {
  from: string;
  to: string;
}

export type CreditGrouping = 'day' | 'agent' | 'reason' | 'tool';

// Applied credits (voided ones net to nothing) requested in the period; credits_status drives it.
const appliedInPeriod = `FROM credits c WHERE c.status = 'applied' AND c.created_at >= @from AND c.created_at <= @to`;

/**
 * One person's grants that someone else decided or voided since a time: credits_requester drives
 * it, so it reads that person's grants only. A decision without a staff id (or by `system`) was the
 * console's own, after a late auto-refund: the requester learns of it too.
 */
const decisionsWhere = `WHERE c.requested_by = @staff_id
      AND ((c.decided_at >= @since AND (c.decided_by IS NULL OR c.decided_by <> @staff_id))
        OR (c.voided_at >= @since AND (c.voided_by IS NULL OR c.voided_by <> @staff_id)))`;

/** The statements behind the lead dashboard; the same on both engines unless written per engine. */
const sql = {
  byDay: `SELECT substr(c.created_at, 1, 10) AS key, substr(c.created_at, 1, 10) AS label,
      COUNT(*) AS count, SUM(c.amount) AS tokens ${appliedInPeriod} GROUP BY 1 ORDER BY 1`,
  byAgent: `SELECT c.requested_by AS key, COALESCE(s.name, c.requested_by) AS label,
      COUNT(*) AS count, SUM(c.amount) AS tokens
    FROM credits c LEFT JOIN staff s ON s.id = c.requested_by
    WHERE c.status = 'applied' AND c.created_at >= @from AND c.created_at <= @to
    GROUP BY c.requested_by, s.name ORDER BY tokens DESC, key`,
  byReason: `SELECT c.reason AS key, c.reason AS label, COUNT(*) AS count, SUM(c.amount) AS tokens
    ${appliedInPeriod} GROUP BY c.reason ORDER BY tokens DESC, key`,
  // A grant may cover runs of several tools: its tokens are split by item; goodwill has no run.
  // PostgreSQL wants the subquery named; SQLite takes the name too.
  byTool: `SELECT key, key AS label, COUNT(DISTINCT credit_id) AS count, SUM(tokens) AS tokens FROM (
      SELECT g.tool AS key, c.id AS credit_id, i.tokens AS tokens
        FROM credits c JOIN credit_items i ON i.credit_id = c.id JOIN generations g ON g.id = i.generation_id
       WHERE c.status = 'applied' AND c.created_at >= @from AND c.created_at <= @to
      UNION ALL
      SELECT 'no run (goodwill)', c.id, c.amount ${appliedInPeriod} AND NOT EXISTS (SELECT 1 FROM credit_items i WHERE i.credit_id = c.id)
    ) AS items GROUP BY key ORDER BY tokens DESC, key`,
  // Failed runs started in the period, by tool; generations_unsettled drives it. PostgreSQL does
  // not sum booleans: there each figure counts the runs its condition holds for.
  refunds: {
    sqlite: `SELECT g.tool AS tool, COUNT(*) AS failed,
      SUM(g.tokens_charged = 0) AS not_charged,
      SUM(g.tokens_charged > 0 AND g.auto_refund_id IS NOT NULL) AS auto_refunded,
      SUM(g.tokens_charged > 0 AND g.auto_refund_id IS NULL AND g.finished_at > @grace_cutoff) AS refund_pending,
      SUM(g.tokens_charged > 0 AND g.auto_refund_id IS NULL AND (g.finished_at IS NULL OR g.finished_at <= @grace_cutoff)) AS refund_missing
    FROM generations g WHERE g.status = 'failed' AND g.started_at >= @from AND g.started_at <= @to
    GROUP BY g.tool ORDER BY failed DESC, tool`,
    postgres: `SELECT g.tool AS tool, COUNT(*) AS failed,
      COUNT(*) FILTER (WHERE g.tokens_charged = 0) AS not_charged,
      COUNT(*) FILTER (WHERE g.tokens_charged > 0 AND g.auto_refund_id IS NOT NULL) AS auto_refunded,
      COUNT(*) FILTER (WHERE g.tokens_charged > 0 AND g.auto_refund_id IS NULL AND g.finished_at > @grace_cutoff) AS refund_pending,
      COUNT(*) FILTER (WHERE g.tokens_charged > 0 AND g.auto_refund_id IS NULL AND (g.finished_at IS NULL OR g.finished_at <= @grace_cutoff)) AS refund_missing
    FROM generations g WHERE g.status = 'failed' AND g.started_at >= @from AND g.started_at <= @to
    GROUP BY g.tool ORDER BY failed DESC, tool`,
  },
  // Latest decision first. SQLite's scalar max() is GREATEST on PostgreSQL; a grant's rowid (the
  // order grants were written in) does not exist there, where the grant's time and then its id,
  // which begins with its creation time (server/ids.ts), stand in for it.
  decisions: {
    sqlite: `${creditViewSql.sqlite}
    ${decisionsWhere}
    ORDER BY max(COALESCE(c.decided_at, ''), COALESCE(c.voided_at, '')) DESC, c.rowid DESC
    LIMIT @limit`,
    postgres: `${creditViewSql.postgres}
    ${decisionsWhere}
    ORDER BY GREATEST(COALESCE(c.decided_at, ''), COALESCE(c.voided_at, '')) DESC, c.created_at DESC, c.id DESC
    LIMIT @limit`,
  },
} satisfies Record<string, Statement>;

const byGrouping: Record<CreditGrouping, Statement> = { day: sql.byDay, agent: sql.byAgent, reason: sql.byReason, tool: sql.byTool };

/** The aggregates behind the lead dashboard, through the storage seam. */
export const reportQueries = {
  /** The newest `limit` of `staffId`'s grants decided or voided by someone else at or after `since`, latest decision first. */
  decisionsFor: (q: Queryable, staffId: string, since: string, limit: number): Promise<CreditViewRow[]> =>
    q.all<CreditViewRow>(sql.decisions, { staff_id: staffId, since, limit }),
  credits: (q: Queryable, groupBy: CreditGrouping, period: Period): Promise<ReportRow[]> => q.all<ReportRow>(byGrouping[groupBy], period),
  refunds: (q: Queryable, period: Period, graceCutoff: string): Promise<RefundReportRow[]> =>
    q.all<RefundReportRow>(sql.refunds, { ...period, grace_cutoff: graceCutoff }),
};
