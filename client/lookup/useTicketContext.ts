import { useMemo } from 'react';
import { useLocation } from 'react-admin';
import { readTicketContext, type TicketContext } from './ticketContext.ts';

/**
 * The ticket context of the current page, read from its query (a chat review, customer or run
 * opened from a helpdesk link), to pass on to the credit form with `creditCreatePath`.
 */
export const useTicketContext = (): TicketContext => {
  const { search } = useLocation();
  return useMemo(() => readTicketContext(search), [search]);
};
