import { HttpError } from 'react-admin';
import type { LookupResult } from '../../shared/lookup.ts';
import type { AppDataProvider } from '../dataProvider.ts';
import type { TransactionRecord } from '../../shared/records.ts';

/** The console path of one record's show page (chat review, customer 360, run detail). */
export const showPath = (resource: 'chats' | 'customers' | 'generations' | 'transactions', id: string): string =>
  `/${resource}/${encodeURIComponent(id)}/show`;

/** The customer 360's first tab is the usage history. */
export const customerUsagePath = (customerId: string): string => showPath('customers', customerId);

/** The lookup route's path for a deep link (`/#/lookup?q=...`). */
export const lookupRoutePath = (q: string): string => `/lookup?${new URLSearchParams({ q })}`;

/**
 * Where a lookup result leads: a chat to its review, a customer to its 360, a run to its detail,
 * and a ledger entry to its run when it has one, else to its customer's usage history.
 */
export const lookupDestination = (
  result: LookupResult,
  transaction?: Pick<TransactionRecord, 'generation_id'> | null,
): string => {
  switch (result.type) {
    case 'chat':
      return showPath('chats', result.chat_id ?? result.id);
    case 'customer':
      return showPath('customers', result.id);
    case 'generation':
      return showPath('generations', result.id);
    case 'transaction':
      return transaction?.generation_id ? showPath('generations', transaction.generation_id) : customerUsagePath(result.customer_id);
  }
};

/** Asks the API what `q` names and answers the path to open; rejects as the API does (404 when nothing matches). */
export const resolveLookup = async (dataProvider: AppDataProvider, q: string): Promise<string> => {
  const result = await dataProvider.lookup(q);
  if (result.type !== 'transaction') return lookupDestination(result);
  // The lookup answer does not say whether a ledger entry belongs to a run; the entry does.
  const { data: transaction } = await dataProvider.getOne<TransactionRecord>('transactions', { id: result.id });
  return lookupDestination(result, transaction);
};

/** What to tell the agent when a lookup of `q` failed: the server's words when it answered. */
export const lookupFailureMessage = (error: unknown, q: string): string => {
  if (error instanceof HttpError) {
    if (error.status === 404) return error.message || `Nothing matches “${q}”.`;
    return error.message ? `The lookup failed: ${error.message}` : `The lookup failed (HTTP ${error.status}).`;
  }
  return 'Could not reach Token Desk. Check your connection and try again.';
};

/** The hint shown when the box is submitted empty. */
export const emptyLookupHint = 'Paste a chat ID or chat URL, a customer e-mail or id, or a run or transaction id.';
