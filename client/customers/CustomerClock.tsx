import { Typography } from '@mui/material';
import { formatClock, isKnownTimeZone } from '../display/format.ts';
import { useNow } from '../display/useNow.ts';

/** What time it is for the customer now, so an agent can read "this morning" in the customer's words. */
export const CustomerClock = ({ timeZone }: { timeZone: string | null | undefined }) => {
  const now = useNow(30_000);
  if (!isKnownTimeZone(timeZone)) {
    return (
      <Typography variant="body2" color="text.secondary">
        Customer’s local time unknown (no time zone on record)
      </Typography>
    );
  }
  return (
    <Typography variant="body2">
      Customer’s local time: {formatClock(now, timeZone)} ({timeZone})
    </Typography>
  );
};
