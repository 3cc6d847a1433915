import { creditLimits } from '../../shared/creditLimits.ts';

/**
 * What a helpdesk link says about the ticket besides the chat: its reference,
 * when the customer says it happened, what they expected and what they got.
 * It travels from the deep link (`/#/lookup?q=…&ticket=…&at=…&expected=…&received=…`)
 * to the chat review and on to the credit form, in each path's query, so a
 * reload or a shared link keeps it.
 */
export interface TicketContext {
  ticket?: string;
  /** ISO 8601 as the helpdesk sent it; without an offset it is the customer's local time. */
  at?: string;
  expected?: string;
  received?: string;
}

const FIELDS = ['ticket', 'at', 'expected', 'received'] as const;
const MAX_LENGTH = { ticket: creditLimits.ticketRef, at: 40, expected: creditLimits.customerText, received: creditLimits.customerText } as const;

/** The ticket context of a query string; unknown, blank and over-long values are left out. */
export function readTicketContext(search: string | URLSearchParams): TicketContext {
  const params = typeof search === 'string' ? new URLSearchParams(search) : search;
  const context: TicketContext = {};
  for (const field of FIELDS) {
    const value = params.get(field)?.trim();
    if (value && value.length <= MAX_LENGTH[field]) context[field] = value;
  }
  return context;
}

/** The context as query parameters, to append to a path's own. */
export function ticketContextParams(context: TicketContext): [string, string][] {
  return FIELDS.flatMap((field): [string, string][] => (context[field] ? [[field, context[field] as string]] : []));
}
