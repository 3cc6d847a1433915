import { Chip } from '@mui/material';
import { creditStatusPresentation } from './creditModel.ts';

/** A credit's status in words; the colour only repeats them. */
export const CreditStatusChip = ({ status }: { status: string }) => {
  const { label, colour } = creditStatusPresentation(status);
  return <Chip label={label} color={colour} size="small" variant={colour === 'default' ? 'outlined' : 'filled'} sx={{ fontWeight: 500 }} />;
};
