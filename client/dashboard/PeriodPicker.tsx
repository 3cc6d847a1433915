import { Box, Button, TextField, ToggleButton, ToggleButtonGroup, Typography } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { customPeriodProblem, periodPresets, type Period, type PeriodChoice, type PeriodPreset } from './dashboardModel.ts';

/** Last 7, 30 or 90 days, or two chosen days. Mount it with a `key` of the address so it follows the back button. */
export const PeriodPicker = ({ choice, period, onChange }: { choice: PeriodChoice; period: Period; onChange: (choice: PeriodChoice) => void }) => {
  const [custom, setCustom] = useState(choice.kind === 'custom');
  const [from, setFrom] = useState(period.from);
  const [to, setTo] = useState(period.to);
  const [problem, setProblem] = useState<string | null>(null);

  const apply = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const found = customPeriodProblem(from, to);
    setProblem(found);
    if (!found) onChange({ kind: 'custom', from, to });
  };

  return (
    <Box>
      <ToggleButtonGroup
        exclusive
        size="small"
        aria-label="Period"
        value={custom ? 'custom' : choice.kind === 'preset' ? String(choice.days) : 'custom'}
        onChange={(_event, value: string | null) => {
          if (value === null) return;
          if (value === 'custom') {
            setCustom(true);
            return;
          }
          setCustom(false);
          setProblem(null);
          onChange({ kind: 'preset', days: Number(value) as PeriodPreset });
        }}
      >
        {periodPresets.map(days => (
          <ToggleButton key={days} value={String(days)}>
            Last {days} days
          </ToggleButton>
        ))}
        <ToggleButton value="custom">Custom</ToggleButton>
      </ToggleButtonGroup>
      {custom && (
        <Box component="form" onSubmit={apply} noValidate sx={{ display: 'flex', gap: 1, alignItems: 'flex-start', flexWrap: 'wrap', mt: 2 }}>
          <TextField
            type="date"
            label="From (UTC day)"
            size="small"
            value={from}
            onChange={event => setFrom(event.target.value)}
            slotProps={{ inputLabel: { shrink: true } }}
          />
          <TextField
            type="date"
            label="To (UTC day)"
            size="small"
            value={to}
            onChange={event => setTo(event.target.value)}
            slotProps={{ inputLabel: { shrink: true } }}
            error={problem !== null}
            helperText={problem}
          />
          <Button type="submit" variant="contained">
            Show
          </Button>
        </Box>
      )}
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }} aria-live="polite">
        From {period.from} to {period.to}, both included (UTC days).
      </Typography>
    </Box>
  );
};
