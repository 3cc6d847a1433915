import { HttpError } from 'react-admin';
import type { CreditRecord } from '../../shared/credits.ts';
import {
  creditDeliveryOutcome,
  type CreditDelivery,
  type CreditDeliveryOutcome,
  type CreditEventType,
  type DeliveryStateFilter,
  type StudioDeliverySettings,
} from '../../shared/delivery.ts';
import { formatDateTime } from '../display/format.ts';

/**
 * How the console words a credit's way to the studio (docs/integration.md): each event's
 * standing, the credit's chip in lists, the list's filter. Which event decides a credit's outcome
 * is the shared `creditDeliveryOutcome`; this file only puts it into words.
 */

/** Whether anything can reach the studio: the webhook push, the pull feed, or both. */
export const deliveryConfigured = (settings: StudioDeliverySettings): boolean => settings.push_enabled || settings.feed_enabled;

/** The words of the banner every role sees while nothing can reach the studio. */
export const notConfiguredBanner = 'Credits are not delivered to the studio: delivery is not configured';

export const deliveryEventLabel = (type: CreditEventType): string => (type === 'credit.applied' ? 'Credit applied' : 'Void');

/** Where one event stands, as a word a colour can repeat. */
export type EventStanding = Exclude<CreditDeliveryOutcome, 'none'>;

/**
 * One event's standing: delivered whatever the set-up; otherwise "not configured" wins, because
 * nothing can move the event while neither push nor feed is on (the shared outcome's order).
 */
export const eventStanding = (event: Pick<CreditDelivery, 'state'>, configured: boolean): EventStanding => {
  if (event.state === 'delivered') return 'delivered';
  if (!configured) return 'not_configured';
  switch (event.state) {
    case 'failing':
      return 'failing';
    case 'given_up':
      return 'given_up';
    default:
      return 'waiting';
  }
};

/** "last answer 503", or the error when the studio never answered (a timeout, a refused connection). */
const lastAnswer = (event: Pick<CreditDelivery, 'last_status' | 'last_error'>): string | null => {
  if (event.last_status != null) return `last answer ${event.last_status}`;
  if (event.last_error) return `last error: ${event.last_error}`;
  return null;
};

const attemptsWord = (attempts: number): string => `${attempts} ${attempts === 1 ? 'attempt' : 'attempts'}`;

/**
 * Where one event stands with the studio, in words, times in `timeZone` (the viewer's unless
 * told): "Waiting for the studio", "In the customer's account since …", "Failing — attempt 3,
 * next try …, last answer 503", "Not delivered — given up …".
 */
export const describeDeliveryEvent = (
  event: Pick<CreditDelivery, 'state' | 'attempts' | 'last_status' | 'last_error' | 'next_attempt_at' | 'delivered_at' | 'confirmed_at'>,
  configured: boolean,
  timeZone?: string,
): string => {
  switch (eventStanding(event, configured)) {
    case 'delivered':
      return `In the customer's account since ${formatDateTime(event.delivered_at, timeZone)}${event.confirmed_at ? ', confirmed by the studio' : ''}`;
    case 'not_configured':
      return 'Not delivered: delivery to the studio is not configured';
    case 'waiting':
      return 'Waiting for the studio';
    case 'failing':
      return [
        `Failing — attempt ${event.attempts}`,
        event.next_attempt_at ? `next try ${formatDateTime(event.next_attempt_at, timeZone)}` : null,
        lastAnswer(event),
      ]
        .filter(Boolean)
        .join(', ');
    case 'given_up':
      return [`Not delivered — given up after ${attemptsWord(event.attempts)}`, lastAnswer(event)].filter(Boolean).join(', ');
  }
};

/** How the channel and the studio's reference of a delivered event read, for the record page's small print. */
export const deliveryReceipt = (event: Pick<CreditDelivery, 'event_id' | 'delivered_via' | 'studio_ref'>): string =>
  [
    `Event ${event.event_id}`,
    event.delivered_via === 'webhook' ? 'sent by webhook' : event.delivered_via === 'feed' ? 'read from the feed' : null,
    event.studio_ref ? `studio reference ${event.studio_ref}` : null,
  ]
    .filter(Boolean)
    .join(' · ');

/** Whether a lead has something to retry: the server answers 409 `nothing_to_retry` otherwise. */
export const deliveryRetryable = (credit: Pick<CreditRecord, 'delivery'>): boolean =>
  credit.delivery.some(event => event.state === 'failing' || event.state === 'given_up');

/**
 * Where a credit stands with the studio, for the lists' column. The shared outcome speaks of
 * applied credits; a voided credit still has its events on the way (its void takes the tokens
 * back in the studio), so its column shows the first event not yet delivered, in order.
 */
export const creditDeliveryStanding = (credit: Pick<CreditRecord, 'status' | 'delivery'>, configured: boolean): CreditDeliveryOutcome => {
  if (credit.status !== 'voided') return creditDeliveryOutcome(credit, configured);
  if (credit.delivery.length === 0) return 'none';
  const outstanding = credit.delivery.find(event => event.state !== 'delivered');
  return outstanding ? eventStanding(outstanding, configured) : 'delivered';
};

/** A standing's short words and the colour that repeats them. */
export interface StandingPresentation {
  label: string;
  colour: 'default' | 'info' | 'success' | 'warning' | 'error';
}

const standingPresentations: Record<CreditDeliveryOutcome, StandingPresentation> = {
  none: { label: '—', colour: 'default' },
  waiting: { label: 'Waiting', colour: 'info' },
  delivered: { label: 'Delivered', colour: 'success' },
  failing: { label: 'Failing', colour: 'warning' },
  given_up: { label: 'Given up', colour: 'error' },
  not_configured: { label: 'Not delivered', colour: 'default' },
};

export const standingPresentation = (standing: CreditDeliveryOutcome): StandingPresentation => standingPresentations[standing];

const filterLabels: Record<DeliveryStateFilter, string> = {
  pending: 'Waiting',
  failing: 'Failing',
  given_up: 'Given up',
  delivered: 'Delivered',
};

/** The credits list's "Delivery" filter: a credit matches when one of its events stands so. */
export const deliveryFilterLabel = (filter: DeliveryStateFilter): string => filterLabels[filter];

/** The outcome screen asks again while the studio may still take the credit; never once it is settled. */
export const deliveryStillMoving = (outcome: CreditDeliveryOutcome): boolean => outcome === 'waiting' || outcome === 'failing';

/** Why a retry was refused, in the server's words (a 409 names what changed), or that nobody answered. */
export const retryFailureMessage = (error: unknown): string => {
  if (error instanceof HttpError) {
    const body = error.body as { message?: unknown } | undefined;
    return typeof body?.message === 'string' && body.message ? body.message : error.message;
  }
  return 'Token Desk did not answer: nothing was retried. Try again.';
};
