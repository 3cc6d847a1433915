import { TextField } from '@mui/material';
import { lazy, Suspense } from 'react';
import { wallTimeAsShown } from './wallTimeFormat.ts';

export interface WallTimePickerProps {
  label: string;
  /** A wall time as a `datetime-local` input holds it ("2026-11-20T10:04"), "" for none. */
  value: string;
  /** The new wall time; "" when cleared, null while what is typed is not a complete date and time. */
  onChange: (wall: string | null) => void;
  helperText?: string;
  width?: number;
}

// MUI X's picker and its date library are heavy: they load with the first screen that shows a picker, not with the console.
const WallTimePickerField = lazy(() => import('./WallTimePickerField.tsx'));

/** A date-time picker for a wall-clock time (a reported time, a list's bounds), loaded on first use. */
export const WallTimePicker = (props: WallTimePickerProps) => (
  <Suspense
    fallback={
      <TextField
        label={props.label}
        value={props.value ? wallTimeAsShown(props.value) : ''}
        size="small"
        disabled
        helperText={props.helperText}
        slotProps={{ inputLabel: { shrink: Boolean(props.value) } }}
        sx={{ width: props.width ?? 230 }}
      />
    }
  >
    <WallTimePickerField {...props} />
  </Suspense>
);
