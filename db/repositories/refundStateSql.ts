/**
 * The refund state of a run as one SQL expression over a `generations` row
 * aliased `g`, with `@grace_cutoff` = now minus the grace period (ISO text).
 * The first matching branch wins, in docs/domain.md's order. This is the only
 * place the rule is written; every query that shows or filters by the state
 * uses it.
 */
export const refundStateSql = `CASE
  WHEN g.status IN ('queued', 'running') THEN 'in_progress'
  WHEN g.tokens_charged = 0 THEN 'not_charged'
  WHEN g.auto_refund_id IS NOT NULL THEN 'auto_refunded'
  WHEN g.tokens_credited > 0 THEN 'credited'
  WHEN g.status = 'failed' AND g.finished_at > @grace_cutoff THEN 'refund_pending'
  WHEN g.status = 'failed' THEN 'refund_missing'
  ELSE 'none'
END`;
