import { Chip } from '@mui/material';
import { refundStatePresentation } from './generationModel.ts';

/** A run's refund state in words, with a colour that repeats them (never colour alone). */
export const RefundStateBadge = ({ state }: { state: string }) => {
  const { label, colour, meaning } = refundStatePresentation(state);
  return (
    <Chip
      label={label}
      color={colour}
      size="small"
      variant={colour === 'error' ? 'filled' : 'outlined'}
      title={meaning}
      sx={{ fontWeight: 500 }}
    />
  );
};
