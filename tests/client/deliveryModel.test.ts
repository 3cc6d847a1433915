import { HttpError } from 'react-admin';
import { describe, expect, it } from 'vitest';
import {
  deliveryConfigured,
  deliveryEventLabel,
  deliveryFilterLabel,
  deliveryReceipt,
  deliveryRetryable,
  describeDeliveryEvent,
  retryFailureMessage,
  standingPresentation,
} from '../../client/credits/deliveryModel.ts';
import { formatDateTime } from '../../client/display/format.ts';
import { creditDeliveryStanding, deliveryStillMoving } from '../../shared/delivery.ts';
import { deliveryStateFilters } from '../../shared/delivery.ts';
import { buildCredit, buildDeliveryEvent, deliveredEvent } from './creditsBuilders.ts';

const zone = 'Europe/Paris';
const nextTry = '2026-11-21T13:35:00.000Z';
const voidEvent = (overrides: Parameters<typeof buildDeliveryEvent>[0] = {}) => buildDeliveryEvent({ event_id: 'txn_void_1', type: 'credit.voided', ...overrides });

describe('where one credit event stands, in words', () => {
  it('waits for the studio while pending or being sent', () => {
    expect(describeDeliveryEvent(buildDeliveryEvent({ state: 'pending' }), true, zone)).toBe('Waiting for the studio');
    expect(describeDeliveryEvent(buildDeliveryEvent({ state: 'delivering', attempts: 1 }), true, zone)).toBe('Waiting for the studio');
  });

  it('is in the customer’s account once delivered, at a time on the viewer’s clock, and says when the studio confirmed it', () => {
    const delivered = deliveredEvent({ delivered_at: '2026-11-21T13:03:00.000Z' });
    expect(describeDeliveryEvent(delivered, true, zone)).toBe(`In the customer's account since ${formatDateTime('2026-11-21T13:03:00.000Z', zone)}`);
    expect(formatDateTime('2026-11-21T13:03:00.000Z', zone)).toMatch(/2:03:00 PM GMT\+1/);
    expect(describeDeliveryEvent({ ...delivered, confirmed_at: '2026-11-21T13:04:00.000Z' }, true, zone)).toBe(
      `In the customer's account since ${formatDateTime('2026-11-21T13:03:00.000Z', zone)}, confirmed by the studio`,
    );
  });

  it('names the attempt, the next try and the last answer while failing', () => {
    const failing = buildDeliveryEvent({ state: 'failing', attempts: 3, last_status: 503, next_attempt_at: nextTry });
    expect(describeDeliveryEvent(failing, true, zone)).toBe(`Failing — attempt 3, next try ${formatDateTime(nextTry, zone)}, last answer 503`);
  });

  it('gives the error when the studio never answered (a timeout), and leaves out what is unknown', () => {
    const timedOut = buildDeliveryEvent({ state: 'failing', attempts: 2, last_error: 'timeout after 15 s', next_attempt_at: nextTry });
    expect(describeDeliveryEvent(timedOut, true, zone)).toBe(`Failing — attempt 2, next try ${formatDateTime(nextTry, zone)}, last error: timeout after 15 s`);
    expect(describeDeliveryEvent(buildDeliveryEvent({ state: 'failing', attempts: 1 }), true, zone)).toBe('Failing — attempt 1');
  });

  it('is not delivered once given up', () => {
    expect(describeDeliveryEvent(buildDeliveryEvent({ state: 'given_up', attempts: 10, last_status: 500 }), true, zone)).toBe(
      'Not delivered — given up after 10 attempts, last answer 500',
    );
  });

  it('says delivery is not configured, rather than waiting, when nothing can reach the studio', () => {
    for (const state of ['pending', 'delivering', 'failing', 'given_up'] as const) {
      expect(describeDeliveryEvent(buildDeliveryEvent({ state }), false, zone)).toBe('Not delivered: delivery to the studio is not configured');
    }
    expect(describeDeliveryEvent(deliveredEvent(), false, zone)).toMatch(/^In the customer's account since /);
  });

  it('labels the credit’s events, and says how a delivered one went', () => {
    expect(deliveryEventLabel('credit.applied')).toBe('Credit applied');
    expect(deliveryEventLabel('credit.voided')).toBe('Void');
    expect(deliveryReceipt(deliveredEvent())).toBe('Event txn_credit_1 · sent by webhook · studio reference st_881');
    expect(deliveryReceipt(deliveredEvent({ delivered_via: 'feed', studio_ref: null }))).toBe('Event txn_credit_1 · read from the feed');
    expect(deliveryReceipt(buildDeliveryEvent())).toBe('Event txn_credit_1');
  });
});

describe('where a whole credit stands, for the lists', () => {
  const standing = (credit: Parameters<typeof creditDeliveryStanding>[0], configured = true) => standingPresentation(creditDeliveryStanding(credit, configured)).label;

  it('reads an applied credit by its applied event, as the shared outcome does', () => {
    expect(standing(buildCredit({ delivery: [deliveredEvent()] }))).toBe('Delivered');
    expect(standing(buildCredit({ delivery: [buildDeliveryEvent({ state: 'delivering' })] }))).toBe('Waiting');
    expect(standing(buildCredit({ delivery: [buildDeliveryEvent({ state: 'failing' })] }))).toBe('Failing');
    expect(standing(buildCredit({ delivery: [buildDeliveryEvent({ state: 'given_up' })] }))).toBe('Given up');
    expect(standing(buildCredit({ delivery: [buildDeliveryEvent()] }), false)).toBe('Not delivered');
    expect(standing(buildCredit({ delivery: [deliveredEvent()] }), false)).toBe('Delivered');
  });

  it('has nothing to say of a credit with no event', () => {
    expect(standing(buildCredit({ status: 'pending_approval' }))).toBe('—');
    expect(standing(buildCredit({ status: 'rejected' }))).toBe('—');
  });

  it('reads a voided credit by its first event not yet delivered: the void must reach the studio too', () => {
    const voided = (delivery: ReturnType<typeof buildDeliveryEvent>[]) => buildCredit({ status: 'voided', delivery });
    expect(standing(voided([deliveredEvent(), voidEvent({ state: 'failing' })]))).toBe('Failing');
    expect(standing(voided([deliveredEvent(), deliveredEvent({ event_id: 'txn_void_1', type: 'credit.voided' })]))).toBe('Delivered');
    expect(standing(voided([buildDeliveryEvent({ state: 'given_up' }), voidEvent()]))).toBe('Given up');
    expect(standing(voided([deliveredEvent(), voidEvent()]), false)).toBe('Not delivered');
  });

  it('offers a retry only when an event is failing or given up', () => {
    expect(deliveryRetryable(buildCredit({ delivery: [deliveredEvent(), voidEvent({ state: 'given_up' })] }))).toBe(true);
    expect(deliveryRetryable(buildCredit({ delivery: [buildDeliveryEvent({ state: 'failing' })] }))).toBe(true);
    expect(deliveryRetryable(buildCredit({ delivery: [buildDeliveryEvent({ state: 'delivering' })] }))).toBe(false);
    expect(deliveryRetryable(buildCredit())).toBe(false);
  });

  it('keeps asking only while delivery can still move by itself', () => {
    expect(deliveryStillMoving('waiting')).toBe(true);
    expect(deliveryStillMoving('failing')).toBe(true);
    for (const settled of ['delivered', 'given_up', 'not_configured', 'none'] as const) expect(deliveryStillMoving(settled)).toBe(false);
  });

  it('words the list filter as the column does', () => {
    expect(deliveryStateFilters.map(deliveryFilterLabel)).toEqual(['Waiting', 'Failing', 'Given up', 'Delivered']);
  });

  it('counts delivery as configured when the push or the feed is on', () => {
    expect(deliveryConfigured({ push_enabled: true, feed_enabled: false })).toBe(true);
    expect(deliveryConfigured({ push_enabled: false, feed_enabled: true })).toBe(true);
    expect(deliveryConfigured({ push_enabled: false, feed_enabled: false })).toBe(false);
  });
});

describe('a refused retry', () => {
  it('says why in the server’s words, or that nothing was retried when nobody answered', () => {
    const conflict = new HttpError('Conflict', 409, { code: 'nothing_to_retry', message: 'Nothing of credit crd_1 is failing or given up.' });
    expect(retryFailureMessage(conflict)).toBe('Nothing of credit crd_1 is failing or given up.');
    expect(retryFailureMessage(new HttpError('Forbidden', 403, {}))).toBe('Forbidden');
    expect(retryFailureMessage(new TypeError('Failed to fetch'))).toBe('Token Desk did not answer: nothing was retried. Try again.');
  });
});
