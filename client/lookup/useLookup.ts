import { useCallback, useRef, useState } from 'react';
import { useDataProvider, useNavigate } from 'react-admin';
import type { AppDataProvider } from '../dataProvider.ts';
import { emptyLookupHint, lookupFailureMessage, resolveLookup } from './lookupModel.ts';

export type LookupStatus =
  | { state: 'idle' }
  | { state: 'pending'; q: string }
  | { state: 'failed'; q: string; message: string };

/**
 * Looks up pasted text and opens what it names. Only the latest lookup may navigate: an agent who
 * pastes again before the first answer must not be taken to the first result.
 */
export const useLookup = ({ replace = false }: { replace?: boolean } = {}) => {
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
        const destination = await resolveLookup(dataProvider, q);
        if (attempt !== latest.current) return false;
        setStatus({ state: 'idle' });
        navigate(destination, { replace });
        return true;
      } catch (error) {
        if (attempt === latest.current) setStatus({ state: 'failed', q, message: lookupFailureMessage(error, q) });
        return false;
      }
    },
    [dataProvider, navigate, replace],
  );

  const dismiss = useCallback(() => {
    latest.current++;
    setStatus({ state: 'idle' });
  }, []);

  return { lookUp, status, dismiss };
};
