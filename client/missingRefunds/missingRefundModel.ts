import type { RefundState } from '../../shared/refundState.ts';

/** The queue's route: a view of the runs list, not a resource of its own. */
export const missingRefundsPath = '/missing-refunds';

/** Every run whose auto-refund never came (docs/domain.md: a defect to fix with a `missed_auto_refund` credit). */
export const missingRefundFilter: { refund_state: RefundState } = { refund_state: 'refund_missing' };

/** Oldest first: the customer who has waited longest comes first. */
export const missingRefundSort = { field: 'started_at', order: 'ASC' } as const;

/** Filters a link may narrow the queue by (the dashboard's per-tool bars). */
export interface MissingRefundNarrowing {
  tool?: string;
  customer_id?: string;
  started_at_gte?: string;
  started_at_lte?: string;
}

/** The queue, narrowed as given (react-admin reads `filter` from the URL). */
export const missingRefundsLink = (narrowing: MissingRefundNarrowing = {}): string => {
  const filter = Object.fromEntries(Object.entries(narrowing).filter(([, value]) => Boolean(value)));
  return Object.keys(filter).length === 0
    ? missingRefundsPath
    : `${missingRefundsPath}?${new URLSearchParams({ filter: JSON.stringify(filter) })}`;
};
