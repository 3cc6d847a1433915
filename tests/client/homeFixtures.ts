import type { StudioDeliveryReport } from '../../shared/delivery.ts';
import type { CreditReport, DecisionsReport } from '../../shared/reports.ts';

export const quietDecisions: DecisionsReport = { since: '2026-11-19T12:00:00.000Z', as_of: '2026-11-20T12:00:00.000Z', rows: [] };
export const quietDays: CreditReport = { from: '2026-11-19', to: '2026-11-20', group_by: 'day', rows: [] };
export const quietDelivery: StudioDeliveryReport = {
  push_enabled: true,
  feed_enabled: false,
  counts: { pending: 0, failing: 0, given_up: 0, delivered: 0 },
  oldest_undelivered_at: null,
  last_delivered_at: null,
  last_error: null,
  oldest_failing_since: null,
};

/** The home's reports over HTTP on a quiet day (no decision, nothing delivered or failing, no credit), by path. */
export const quietHomeReports: Record<string, unknown> = {
  '/api/reports/decisions': quietDecisions,
  '/api/reports/credits': quietDays,
  '/api/reports/studio-delivery': quietDelivery,
};
