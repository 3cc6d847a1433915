import { Box, Button, MenuItem, TextField } from '@mui/material';
import { useState, type FormEvent } from 'react';
import { emptyUsageFilter, transactionKindLabels, type UsageFilterValues } from '../transactions/transactionModel.ts';

const knownTools = ['image', 'video', 'animation'];

/** The usage-history filters: a date range (the agent's calendar days), kind, tool and chat. Applied with Enter or the button. */
export const UsageFilterForm = ({ onApply }: { onApply: (values: UsageFilterValues) => void }) => {
  const [values, setValues] = useState<UsageFilterValues>(emptyUsageFilter);
  const set = (field: keyof UsageFilterValues) => (event: { target: { value: string } }) =>
    setValues(current => ({ ...current, [field]: event.target.value }));
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onApply(values);
  };
  const clear = () => {
    setValues(emptyUsageFilter);
    onApply(emptyUsageFilter);
  };
  return (
    <Box
      component="form"
      onSubmit={submit}
      aria-label="Filter the usage history"
      sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, alignItems: 'center', mb: 2 }}
    >
      <TextField
        label="From"
        type="date"
        size="small"
        value={values.fromDay}
        onChange={set('fromDay')}
        slotProps={{ inputLabel: { shrink: true } }}
        sx={{ width: 170 }}
      />
      <TextField
        label="To"
        type="date"
        size="small"
        value={values.toDay}
        onChange={set('toDay')}
        slotProps={{ inputLabel: { shrink: true } }}
        sx={{ width: 170 }}
      />
      <TextField select label="Kind" size="small" value={values.kind} onChange={set('kind')} sx={{ width: 180 }}>
        <MenuItem value="">Any kind</MenuItem>
        {Object.entries(transactionKindLabels).map(([kind, label]) => (
          <MenuItem key={kind} value={kind}>
            {label}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        label="Tool"
        size="small"
        value={values.tool}
        onChange={set('tool')}
        placeholder={knownTools.join(', ')}
        sx={{ width: 150 }}
      />
      <TextField label="Chat ID" size="small" value={values.chatId} onChange={set('chatId')} sx={{ width: 200 }} />
      <Button type="submit" variant="contained">
        Apply filters
      </Button>
      <Button onClick={clear}>Clear</Button>
    </Box>
  );
};
