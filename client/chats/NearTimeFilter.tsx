import { Box, Button, MenuItem, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { DateTimeText } from '../display/DateTimeText.tsx';
import type { InstantRange, NearTimeWindow, ReportedClock } from './chatModel.ts';
import { nearTimeWindows } from './chatModel.ts';

export interface NearTimeValue {
  /** A wall time as a `datetime-local` input holds it, "" when none. */
  reported: string;
  window: NearTimeWindow;
  clock: ReportedClock;
}

/**
 * "Near a time": the time a customer reported, a window either side, and whose clock the time
 * was read on. The range it covers is spelled out in the agent's own time.
 */
export const NearTimeFilter = ({
  value,
  onChange,
  range,
  customerTimeZone,
  agentTimeZone,
}: {
  value: NearTimeValue;
  onChange: (value: NearTimeValue) => void;
  range: InstantRange | null;
  customerTimeZone: string | null;
  agentTimeZone: string;
}) => (
  <Box component="fieldset" sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 2, m: 0 }}>
    <Typography component="legend" variant="subtitle2" sx={{ px: 0.5 }}>
      Near a time
    </Typography>
    <Stack direction={{ xs: 'column', md: 'row' }} spacing={2} sx={{ alignItems: { md: 'center' } }}>
      <TextField
        label="Reported time"
        type="datetime-local"
        size="small"
        value={value.reported}
        onChange={event => onChange({ ...value, reported: event.target.value })}
        slotProps={{ inputLabel: { shrink: true } }}
      />
      <TextField
        select
        label="Window"
        size="small"
        value={value.window}
        onChange={event => onChange({ ...value, window: event.target.value as NearTimeWindow })}
        sx={{ minWidth: 150 }}
      >
        {nearTimeWindows.map(option => (
          <MenuItem key={option.value} value={option.value}>
            {option.label}
          </MenuItem>
        ))}
      </TextField>
      <ToggleButtonGroup
        exclusive
        size="small"
        value={value.clock}
        onChange={(_, clock: ReportedClock | null) => clock && onChange({ ...value, clock })}
        aria-label="Whose clock the reported time is on"
        sx={{ '& .MuiToggleButton-root': { textTransform: 'none' } }}
      >
        <ToggleButton value="customer" disabled={!customerTimeZone}>
          Customer’s time{customerTimeZone ? ` (${customerTimeZone})` : ' (unknown)'}
        </ToggleButton>
        <ToggleButton value="agent">My time ({agentTimeZone})</ToggleButton>
      </ToggleButtonGroup>
      <Button onClick={() => onChange({ ...value, reported: '' })} disabled={!value.reported}>
        Clear
      </Button>
    </Stack>
    <Typography variant="body2" color="text.secondary" sx={{ mt: 1.5 }} role="status">
      {range ? (
        <>
          Showing runs started and ledger entries made from <DateTimeText value={range.from} /> to{' '}
          <DateTimeText value={range.to} /> (your time).
        </>
      ) : value.reported ? (
        'Enter a complete date and time to narrow the chat down.'
      ) : (
        'Showing the whole chat. Enter the time the customer reported to narrow it down.'
      )}
    </Typography>
  </Box>
);
