import { Stack, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { createContext, useContext, useId, useMemo, type ReactNode } from 'react';
import { useStore } from 'react-admin';
import { isKnownTimeZone, viewerTimeZone } from './format.ts';

/** Whose clock the times of a customer's page are shown on. */
export type TimesOn = 'agent' | 'customer';

/** The store key of the choice: it sticks across pages and visits (react-admin keeps it in localStorage). */
export const timesOnStoreKey = 'display.timesOn';

const DisplayTimeZoneContext = createContext<string | undefined>(undefined);

/** The zone `DateTimeText` shows times in below this point, unless one is given to it. */
export const DisplayTimeZoneProvider = ({ timeZone, children }: { timeZone: string; children: ReactNode }) => (
  <DisplayTimeZoneContext.Provider value={timeZone}>{children}</DisplayTimeZoneContext.Provider>
);

/** The zone times are shown in here: the nearest provider's, else the viewer's own. */
export const useDisplayTimeZone = (): string => {
  const chosen = useContext(DisplayTimeZoneContext);
  return useMemo(() => chosen ?? viewerTimeZone(), [chosen]);
};

/**
 * The agent's choice of clock for the times of a customer's pages, and the zone it leads to: the
 * customer's when chosen and known, the agent's otherwise.
 */
export const useTimesOn = (customerTimeZone: string | null | undefined) => {
  const [timesOn, setTimesOn] = useStore<TimesOn>(timesOnStoreKey, 'agent');
  const agentTimeZone = useMemo(viewerTimeZone, []);
  const customerZone = isKnownTimeZone(customerTimeZone) ? customerTimeZone : null;
  const timeZone = timesOn === 'customer' && customerZone ? customerZone : agentTimeZone;
  return { timesOn, setTimesOn, timeZone, agentTimeZone, customerTimeZone: customerZone };
};

/**
 * "Times on: My clock | Customer's clock" — shows every run and ledger time of the page on the
 * customer's clock, the way they wrote them in the ticket, or on the agent's.
 */
export const TimesOnToggle = ({ customerTimeZone }: { customerTimeZone: string | null | undefined }) => {
  const { timesOn, setTimesOn, agentTimeZone, customerTimeZone: known } = useTimesOn(customerTimeZone);
  const labelId = useId();
  return (
    <Stack direction="row" spacing={1} sx={{ alignItems: 'center' }}>
      <Typography variant="body2" color="text.secondary" id={labelId}>
        Times on
      </Typography>
      <ToggleButtonGroup
        exclusive
        size="small"
        value={timesOn === 'customer' && known ? 'customer' : 'agent'}
        onChange={(_, next: TimesOn | null) => next && setTimesOn(next)}
        aria-labelledby={labelId}
        sx={{ '& .MuiToggleButton-root': { textTransform: 'none', py: 0.25 } }}
      >
        <ToggleButton value="agent" title={agentTimeZone}>
          my clock
        </ToggleButton>
        <ToggleButton value="customer" disabled={!known} title={known ?? 'The customer’s time zone is not on record'}>
          the customer’s{known ? ` (${known})` : ' (unknown)'}
        </ToggleButton>
      </ToggleButtonGroup>
    </Stack>
  );
};

/**
 * Shows the times below on the clock the agent chose for this customer (see `TimesOnToggle`).
 */
export const CustomerTimes = ({ customerTimeZone, children }: { customerTimeZone: string | null | undefined; children: ReactNode }) => {
  const { timeZone } = useTimesOn(customerTimeZone);
  return <DisplayTimeZoneProvider timeZone={timeZone}>{children}</DisplayTimeZoneProvider>;
};
