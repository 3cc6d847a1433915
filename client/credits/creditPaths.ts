import { readTicketContext, ticketContextParams, type TicketContext } from '../lookup/ticketContext.ts';

/** The console paths of the credit screens. */

/**
 * The credit form for `runs` (chosen in a runs list), or a goodwill credit for `customerId` (no
 * runs), carrying the ticket's context when the case came from a helpdesk link.
 */
export const creditCreatePath = (target: { runs: string[] } | { customerId: string }, ticket: TicketContext = {}): string => {
  const own: [string, string][] = 'runs' in target ? [['runs', target.runs.join(',')]] : [['customer_id', target.customerId]];
  return `/credits/create?${new URLSearchParams([...own, ...ticketContextParams(ticket)])}`;
};

/** What the credit form's query names: runs to credit, or the customer of a goodwill credit, and the ticket's context. */
export const readCreditTarget = (search: string): { runs: string[]; customerId: string | null; ticket: TicketContext } => {
  const params = new URLSearchParams(search);
  const runs = [...new Set((params.get('runs') ?? '').split(',').map(id => id.trim()).filter(Boolean))];
  return { runs, customerId: runs.length > 0 ? null : params.get('customer_id')?.trim() || null, ticket: readTicketContext(params) };
};

export const creditShowPath = (id: string): string => `/credits/${encodeURIComponent(id)}/show`;

/** The credits list filtered as given (react-admin reads `filter` from the URL). */
export const creditListPath = (filter: Record<string, string>): string => `/credits?${new URLSearchParams({ filter: JSON.stringify(filter) })}`;

export const approvalsPath = '/approvals';
