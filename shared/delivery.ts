import { z } from 'zod';

/**
 * Credit delivery to the studio (docs/integration.md): every `manual_credit`
 * and `credit_void` ledger entry becomes one credit event, pushed as a signed
 * webhook or pulled from the feed. Names and shapes here are the studio's
 * contract: extend them, never bend them.
 */

export const creditEventTypes = ['credit.applied', 'credit.voided'] as const;
export const creditEventTypeSchema = z.enum(creditEventTypes);
export type CreditEventType = z.infer<typeof creditEventTypeSchema>;

/** Where one event stands. `delivering` is an attempt in flight; `given_up` waits for a lead. */
export const deliveryStates = ['pending', 'delivering', 'delivered', 'failing', 'given_up'] as const;
export const deliveryStateSchema = z.enum(deliveryStates);
export type DeliveryState = z.infer<typeof deliveryStateSchema>;

/** The credits list's `delivery_state` filter: `pending` also matches `delivering`. */
export const deliveryStateFilters = ['pending', 'failing', 'given_up', 'delivered'] as const;
export const deliveryStateFilterSchema = z.enum(deliveryStateFilters, { message: `must be one of ${deliveryStateFilters.join(', ')}` });
export type DeliveryStateFilter = z.infer<typeof deliveryStateFilterSchema>;

export const deliveryChannels = ['webhook', 'feed'] as const;
export type DeliveryChannel = (typeof deliveryChannels)[number];

/** Why a credit was voided, as the studio is told: by a lead, or by the studio's own late auto-refund. */
export const voidCauses = ['staff', 'late_auto_refund'] as const;
export type VoidCause = (typeof voidCauses)[number];

export const creditEventRunSchema = z.object({ generation_id: z.string(), tokens: z.number().int() });

/** `data` of an event body. `amount` is signed as in the ledger: negative for a void. */
export const creditEventDataSchema = z.object({
  transaction_id: z.string(),
  credit_id: z.string(),
  customer_id: z.string(),
  amount: z.number().int(),
  reason: z.string(),
  ticket_ref: z.string(),
  runs: z.array(creditEventRunSchema),
  requested_by: z.string(),
  approved_by: z.string().nullable(),
  created_at: z.string(),
  /** Voids only: the applied entry this one reverses, and who caused it. */
  reverses_transaction_id: z.string().optional(),
  void_cause: z.enum(voidCauses).optional(),
});
export type CreditEventData = z.infer<typeof creditEventDataSchema>;

/** The JSON body of every attempt of one event; frozen when the event is written. */
export const creditEventBodySchema = z.object({
  type: creditEventTypeSchema,
  timestamp: z.string(),
  data: creditEventDataSchema,
});
export type CreditEventBody = z.infer<typeof creditEventBodySchema>;

/** One event of a credit as its record shows it (`delivery` of a credit record). */
export const creditDeliverySchema = z.object({
  event_id: z.string(),
  type: creditEventTypeSchema,
  state: deliveryStateSchema,
  attempts: z.number().int(),
  last_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  next_attempt_at: z.string().nullable(),
  delivered_at: z.string().nullable(),
  delivered_via: z.enum(deliveryChannels).nullable(),
  studio_ref: z.string().nullable(),
  confirmed_at: z.string().nullable(),
  /** When the event's current run of failures began; null unless failing or given up. */
  failing_since: z.string().nullable(),
});
export type CreditDelivery = z.infer<typeof creditDeliverySchema>;

/** `GET /api/studio/credit-events`: a page of the feed, in `seq` order. */
export const creditFeedPageSchema = z.object({
  events: z.array(
    z.object({ seq: z.number().int().positive(), id: z.string(), type: creditEventTypeSchema, timestamp: z.string(), data: creditEventDataSchema }),
  ),
  next_cursor: z.number().int().nonnegative(),
  has_more: z.boolean(),
});
export type CreditFeedPage = z.infer<typeof creditFeedPageSchema>;

export const FEED_PAGE_DEFAULT = 100;
export const FEED_PAGE_MAX = 500;

/** `GET /api/reports/studio-delivery`. */
export const studioDeliveryReportSchema = z.object({
  push_enabled: z.boolean(),
  feed_enabled: z.boolean(),
  counts: z.object({ pending: z.number().int(), failing: z.number().int(), given_up: z.number().int(), delivered: z.number().int() }),
  oldest_undelivered_at: z.string().nullable(),
  last_delivered_at: z.string().nullable(),
  last_error: z.string().nullable(),
  /** When the longest-failing event began failing; null when nothing fails. */
  oldest_failing_since: z.string().nullable(),
});
export type StudioDeliveryReport = z.infer<typeof studioDeliveryReportSchema>;

/** A failure this old turns the lead dashboard's delivery card into a warning. */
export const DELIVERY_ALERT_AFTER_MS = 15 * 60_000;

/** True when a lead should act: an event was given up, or one has failed for over 15 minutes. */
export function deliveryNeedsAttention(report: Pick<StudioDeliveryReport, 'counts' | 'oldest_failing_since'>, now: Date): boolean {
  if (report.counts.given_up > 0) return true;
  if (!report.oldest_failing_since) return false;
  return now.getTime() - Date.parse(report.oldest_failing_since) > DELIVERY_ALERT_AFTER_MS;
}

/**
 * Where a credit stands with the studio, for the screens and the customer
 * reply: `not_configured` when nothing can reach the studio; `none` for a
 * credit with nothing to deliver (waiting for approval, rejected).
 */
export type CreditDeliveryOutcome = 'none' | 'not_configured' | 'waiting' | 'delivered' | 'failing' | 'given_up';
export type EventDeliveryOutcome = Exclude<CreditDeliveryOutcome, 'none'>;

/** One event: delivered whatever the set-up; otherwise nothing moves it while neither push nor feed is on. */
export function eventDeliveryOutcome(event: Pick<CreditDelivery, 'state'>, deliveryConfigured: boolean): EventDeliveryOutcome {
  if (event.state === 'delivered') return 'delivered';
  if (!deliveryConfigured) return 'not_configured';
  if (event.state === 'given_up') return 'given_up';
  if (event.state === 'failing') return 'failing';
  return 'waiting';
}

/**
 * Whether the customer has the credit's tokens: its applied event decides.
 * Applied credits only, since only they can say "the tokens were added".
 */
export function creditDeliveryOutcome(
  credit: { status: string; delivery: readonly Pick<CreditDelivery, 'type' | 'state'>[] },
  deliveryConfigured: boolean,
): CreditDeliveryOutcome {
  const applied = credit.delivery.find((event) => event.type === 'credit.applied');
  if (credit.status !== 'applied' || !applied) return 'none';
  return eventDeliveryOutcome(applied, deliveryConfigured);
}

/**
 * Where a credit's delivery stands as a whole, for lists and the credit page:
 * the first of its events, in order, not yet delivered. A voided credit's
 * void still has to reach the studio to take the tokens back.
 */
export function creditDeliveryStanding(
  credit: { delivery: readonly Pick<CreditDelivery, 'state'>[] },
  deliveryConfigured: boolean,
): CreditDeliveryOutcome {
  if (credit.delivery.length === 0) return 'none';
  const outstanding = credit.delivery.find((event) => event.state !== 'delivered');
  return outstanding ? eventDeliveryOutcome(outstanding, deliveryConfigured) : 'delivered';
}

/** A standing that may still change by itself (the dispatcher is at work): screens ask again. */
export const deliveryStillMoving = (outcome: CreditDeliveryOutcome): boolean => outcome === 'waiting' || outcome === 'failing';

/** `POST /api/studio/delivery/retry-given-up`. */
export const retriedSchema = z.object({ retried: z.number().int().nonnegative() });
export type Retried = z.infer<typeof retriedSchema>;

/** What a staff session learns of the console's set-up (login and `GET /api/auth/me`). */
export const studioDeliverySettingsSchema = z.object({ push_enabled: z.boolean(), feed_enabled: z.boolean() });
export type StudioDeliverySettings = z.infer<typeof studioDeliverySettingsSchema>;
