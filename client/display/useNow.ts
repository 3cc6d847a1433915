import { useEffect, useState } from 'react';

/** The current time, refreshed every `everyMs`, so ages ("failed 14 minutes ago") do not go stale on an open page. */
export const useNow = (everyMs: number): Date => {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [everyMs]);
  return now;
};
