import type { CreditEventRow } from '../../db/repositories/creditEventRepository.ts';
import type { CreditDelivery } from '../../shared/delivery.ts';

/** The columns a credit record's `delivery` is made of. */
export type DeliveryColumns = Pick<CreditEventRow, 'id' | 'type' | 'state' | 'attempts' | 'last_status' | 'last_error' | 'due_at'
  | 'delivered_at' | 'delivered_via' | 'studio_ref' | 'confirmed_at' | 'failing_since'>;

/** A credit event as a credit record shows it. */
export function rowToDelivery(row: DeliveryColumns): CreditDelivery {
  return {
    event_id: row.id,
    type: row.type,
    state: row.state,
    attempts: row.attempts,
    last_status: row.last_status,
    last_error: row.last_error,
    // Only a failing event has a next try of its own: a pending one goes as soon as it may.
    next_attempt_at: row.state === 'failing' ? row.due_at : null,
    delivered_at: row.delivered_at,
    delivered_via: row.delivered_via,
    studio_ref: row.studio_ref,
    confirmed_at: row.confirmed_at,
    failing_since: row.failing_since,
  };
}

