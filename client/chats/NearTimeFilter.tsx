import { Box, Button, MenuItem, Stack, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { DateTimeText } from '../display/DateTimeText.tsx';
import { WallTimePicker } from '../display/WallTimePicker.tsx';
import type { InstantRange, NearTimeWindow, ReportedClock } from './chatModel.ts';
import { nearTimeWindows } from './chatModel.ts';

export interface NearTimeValue {
  /** A wall time as a `datetime-local` input holds it ("2026-11-20T10:04"), "" when none, null while incomplete. */
  reported: string | null;
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
  fromTicket = false,
}: {
  value: NearTimeValue;
  onChange: (value: NearTimeValue) => void;
  range: InstantRange | null;
  customerTimeZone: string | null;
  agentTimeZone: string;
  /** The reported time came with the helpdesk link. */
  fromTicket?: boolean;
}) => (
  <Box component="fieldset" sx={{ border: 1, borderColor: 'divider', borderRadius: 1, p: 2, m: 0, minWidth: 0 }}>
    <Typography component="legend" variant="subtitle2" sx={{ px: 0.5 }}>
      Near a time
    </Typography>
    <Stack direction="row" spacing={2} useFlexGap sx={{ alignItems: 'center', flexWrap: 'wrap' }}>
      <WallTimePicker label="Reported time" value={value.reported ?? ''} onChange={reported => onChange({ ...value, reported })} />
      <TextField
        select
        label="Window"
        size="small"
        value={value.window}
        onChange={event => onChange({ ...value, window: event.target.value as NearTimeWindow })}
        fullWidth={false}
        sx={{ width: 160 }}
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
      <Button onClick={() => onChange({ ...value, reported: '' })} disabled={value.reported === ''}>
        Clear
      </Button>
    </Stack>
    <Typography variant="body2" color="text.secondary" sx={{ mt: 1.5 }} role="status">
      {range ? (
        <>
          {fromTicket ? 'From the ticket: showing' : 'Showing'} runs started and ledger entries made from{' '}
          <DateTimeText value={range.from} timeZone={agentTimeZone} /> to <DateTimeText value={range.to} timeZone={agentTimeZone} /> (your
          time).
        </>
      ) : value.reported !== '' ? (
        'Enter a complete date and time to narrow the chat down.'
      ) : (
        'Showing the whole chat. Enter the time the customer reported to narrow it down.'
      )}
    </Typography>
  </Box>
);
