import { z } from 'zod';
import { creditRecordSchema } from './credits.ts';
import { timeBoundSchema } from './listQuery.ts';

export const creditReportGroups = ['day', 'agent', 'reason', 'tool'] as const;

export const reportPeriodSchema = z.object({
  from: timeBoundSchema('gte').optional(),
  to: timeBoundSchema('lte').optional(),
});

export const creditReportQuerySchema = reportPeriodSchema.extend({
  group_by: z.enum(creditReportGroups, { message: `must be one of ${creditReportGroups.join(', ')}` }).default('day'),
});

export const creditReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  group_by: z.enum(creditReportGroups),
  rows: z.array(z.object({ key: z.string(), label: z.string(), count: z.number().int(), tokens: z.number().int() })),
});
export type CreditReport = z.infer<typeof creditReportSchema>;

export const refundReportSchema = z.object({
  from: z.string(),
  to: z.string(),
  rows: z.array(
    z.object({
      tool: z.string(),
      failed: z.number().int(),
      not_charged: z.number().int(),
      auto_refunded: z.number().int(),
      refund_pending: z.number().int(),
      refund_missing: z.number().int(),
      /** auto_refunded / failed runs that were charged; null when none were. */
      auto_refund_rate: z.number().nullable(),
    }),
  ),
});
export type RefundReport = z.infer<typeof refundReportSchema>;

/** `GET /api/reports/anomalies`: the period's credits that an anomaly rule flagged. */
export const anomalyReportSchema = z.object({ from: z.string(), to: z.string(), rows: z.array(creditRecordSchema) });
export type AnomalyReport = z.infer<typeof anomalyReportSchema>;

/** The most decisions `GET /api/reports/decisions` lists (the newest). */
export const DECISIONS_LIMIT = 50;

export const decisionsQuerySchema = z.object({ since: timeBoundSchema('gte') }).strict();

/**
 * `GET /api/reports/decisions?since=`: the signed-in person's credits that someone else
 * approved, rejected or voided since then, the latest decision first — what a home page
 * tells its owner about since they last looked. `as_of` is the server's time of the answer:
 * the `since` of the next look, so no decision falls between two looks whatever the clocks.
 */
export const decisionsReportSchema = z.object({ since: z.string(), as_of: z.string(), rows: z.array(creditRecordSchema) });
export type DecisionsReport = z.infer<typeof decisionsReportSchema>;

/** What an ingestion event held for a missing parent waits for (docs/integration.md, Order and retries). */
export const heldParentKinds = ['customer', 'chat', 'generation', 'transaction'] as const;
export type HeldParentKind = (typeof heldParentKinds)[number];

/** `GET /api/reports/ingest-held`: the studio's events waiting for a parent record that has not arrived. */
export const heldIngestReportSchema = z.object({
  held: z.number().int(),
  /** Past this many held events, a new event whose parent is missing is rejected. */
  limit: z.number().int(),
  /** The event held longest; null when none waits. */
  oldest: z
    .object({
      event_id: z.string(),
      type: z.string(),
      waits_for: z.object({ kind: z.enum(heldParentKinds), id: z.string() }),
      occurred_at: z.string(),
      received_at: z.string(),
    })
    .nullable(),
});
export type HeldIngestReport = z.infer<typeof heldIngestReportSchema>;
