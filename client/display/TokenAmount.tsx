import { Box } from '@mui/material';
import { formatSignedTokens, formatTokens } from './format.ts';

/** A token amount with thousands separators, in figures that line up in a column. */
export const TokenAmount = ({ value, signed = false }: { value: number | null | undefined; signed?: boolean }) => (
  <Box component="span" sx={{ fontVariantNumeric: 'tabular-nums', whiteSpace: 'nowrap' }}>
    {signed ? formatSignedTokens(value) : formatTokens(value)}
  </Box>
);
