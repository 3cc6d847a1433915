import type { CreditRecord } from '../../shared/credits.ts';
import {
  eventDeliveryOutcome,
  type CreditDelivery,
  type CreditDeliveryOutcome,
  type CreditEventType,
  type DeliveryStateFilter,
  type StudioDeliverySettings,
} from '../../shared/delivery.ts';
import { apiErrorMessage } from '../apiErrors.ts';
import { formatDateTime } from '../display/format.ts';

/**
 * How the console words a credit's way to the studio (docs/integration.md): each event's
 * standing, the credit's chip in lists, the list's filter. Which event decides a credit's outcome
 * is the shared `creditDeliveryOutcome`; this file only puts it into words.
 */

/** How often a screen asks where a credit stands while the studio has not taken it yet. */
export const DELIVERY_POLL_MS = 2000;

/** Whether anything can reach the studio: the webhook push, the pull feed, or both. */
export const deliveryConfigured = (settings: StudioDeliverySettings): boolean => settings.push_enabled || settings.feed_enabled;

/** The words of the banner every role sees while nothing can reach the studio. */
export const notConfiguredBanner = 'Credits are not delivered to the studio: delivery is not configured';

export const deliveryEventLabel = (type: CreditEventType): string => (type === 'credit.applied' ? 'Credit applied' : 'Void');

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
  switch (eventDeliveryOutcome(event, configured)) {
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

/** Why a retry was refused, in the server's words (a 409 names what changed), or that nobody answered. */
export const retryFailureMessage = (error: unknown): string => apiErrorMessage(error, 'Token Desk did not answer: nothing was retried. Try again.');
