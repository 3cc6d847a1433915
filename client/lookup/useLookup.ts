import { useCallback, useRef, useState } from 'react';
import { useDataProvider, useNavigate } from 'react-admin';
import type { CustomerRecord } from '../../shared/records.ts';
import type { AppDataProvider } from '../dataProvider.ts';
import { emptyLookupHint, lookupFailureMessage, resolveLookup, withTicketContext } from './lookupModel.ts';
import type { TicketContext } from './ticketContext.ts';

export type LookupStatus =
  | { state: 'idle' }
  | { state: 'pending'; q: string }
  | { state: 'failed'; q: string; message: string }
  /** Several customers' names start with `q`: the agent picks one. */
  | { state: 'choose'; q: string; customers: CustomerRecord[]; total: number };

/**
 * Looks up pasted text and opens what it names, carrying `ticket` (a helpdesk link's context) to
 * the page it opens. Only the latest lookup may navigate: an agent who pastes again before the
 * first answer must not be taken to the first result.
 */
export const useLookup = ({ replace = false, ticket }: { replace?: boolean; ticket?: TicketContext } = {}) => {
  const dataProvider = useDataProvider<AppDataProvider>();
  const navigate = useNavigate();
  const [status, setStatus] = useState<LookupStatus>({ state: 'idle' });
  const latest = useRef(0);

  const lookUp = useCallback(
    async (text: string): Promise<boolean> => {
      const q = text.trim();
      const attempt = ++latest.current;
      if (!q) {
        setStatus({ state: 'failed', q, message: emptyLookupHint });
        return false;
      }
      setStatus({ state: 'pending', q });
      try {
        const resolution = await resolveLookup(dataProvider, q);
        if (attempt !== latest.current) return false;
        if (resolution.kind === 'choose') {
          setStatus({ state: 'choose', q, customers: resolution.customers, total: resolution.total });
          return false;
        }
        setStatus({ state: 'idle' });
        navigate(withTicketContext(resolution.path, ticket ?? {}), { replace });
        return true;
      } catch (error) {
        if (attempt === latest.current) setStatus({ state: 'failed', q, message: lookupFailureMessage(error, q) });
        return false;
      }
    },
    [dataProvider, navigate, replace, ticket],
  );

  const dismiss = useCallback(() => {
    latest.current++;
    setStatus({ state: 'idle' });
  }, []);

  return { lookUp, status, dismiss };
};
