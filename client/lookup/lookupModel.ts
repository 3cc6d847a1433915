import { HttpError } from 'react-admin';
import type { LookupResult } from '../../shared/lookup.ts';
import type { AppDataProvider } from '../dataProvider.ts';
import type { CustomerRecord, TransactionRecord } from '../../shared/records.ts';
import { ticketContextParams, type TicketContext } from './ticketContext.ts';

/** The console path of one record's show page (chat review, customer 360, run detail). */
export const showPath = (resource: 'chats' | 'customers' | 'generations' | 'transactions', id: string): string =>
  `/${resource}/${encodeURIComponent(id)}/show`;

/** The customer 360's first tab is the usage history. */
export const customerUsagePath = (customerId: string): string => showPath('customers', customerId);

/** The lookup route's path for a deep link (`/#/lookup?q=...`), keeping the ticket's context. */
export const lookupRoutePath = (q: string, ticket: TicketContext = {}): string =>
  `/lookup?${new URLSearchParams([['q', q], ...ticketContextParams(ticket)])}`;

/** `path` with the ticket's context in its query, so the page it opens can pass it on to a credit. */
export const withTicketContext = (path: string, ticket: TicketContext): string => {
  const params = new URLSearchParams(ticketContextParams(ticket));
  return params.size === 0 ? path : `${path}${path.includes('?') ? '&' : '?'}${params}`;
};

/** The customers list searched for `q` (names, e-mails and ids starting with it). */
export const customerSearchPath = (q: string): string => `/customers?${new URLSearchParams({ filter: JSON.stringify({ q }) })}`;

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

/** How many customers a name lookup offers to pick from; more are a search for the customers list. */
export const namedCustomersShown = 5;

/** What a lookup leads to: one page to open, or several customers whose names start with the text. */
export type LookupResolution =
  | { kind: 'open'; path: string }
  | { kind: 'choose'; customers: CustomerRecord[]; total: number };

/** Whether `q` could be the start of a customer's name: not a URL or an e-mail, and with a letter in it. */
export const mayBeName = (q: string): boolean => !/[/@]/.test(q) && /\p{L}/u.test(q) && q.length <= 100;

/**
 * Asks the API what `q` names and answers where to go. Ids, chat URLs and e-mails are
 * `GET /api/lookup`'s; when it finds nothing, a text that may be a name is searched in the
 * customers list: one match opens, several are offered. Rejects as the API does (404 when
 * nothing matches at all).
 */
export const resolveLookup = async (dataProvider: AppDataProvider, q: string): Promise<LookupResolution> => {
  let result: LookupResult;
  try {
    result = await dataProvider.lookup(q);
  } catch (error) {
    if (!(error instanceof HttpError && error.status === 404) || !mayBeName(q)) throw error;
    const { data, total } = await dataProvider.getList<CustomerRecord>('customers', {
      filter: { q },
      pagination: { page: 1, perPage: namedCustomersShown },
      sort: { field: 'name', order: 'ASC' },
    });
    if (data.length === 0) throw error;
    if (data.length === 1) return { kind: 'open', path: showPath('customers', data[0].id) };
    return { kind: 'choose', customers: data, total: total ?? data.length };
  }
  if (result.type !== 'transaction') return { kind: 'open', path: lookupDestination(result) };
  // The lookup answer does not say whether a ledger entry belongs to a run; the entry does.
  const { data: transaction } = await dataProvider.getOne<TransactionRecord>('transactions', { id: result.id });
  return { kind: 'open', path: lookupDestination(result, transaction) };
};

/** What to tell the agent when a lookup of `q` failed: the server's words when it answered. */
export const lookupFailureMessage = (error: unknown, q: string): string => {
  if (error instanceof HttpError) {
    if (error.status === 404) {
      const said = error.message || `Nothing matches “${q}”.`;
      return mayBeName(q) ? `${said} No customer’s name starts with it either.` : said;
    }
    return error.message ? `The lookup failed: ${error.message}` : `The lookup failed (HTTP ${error.status}).`;
  }
  return 'Could not reach Token Desk. Check your connection and try again.';
};

/** The hint shown when the box is submitted empty. */
export const emptyLookupHint = 'Paste a chat ID or chat URL, a customer e-mail, name or id, or a run or transaction id.';
